package io.infermesh.worker.catalogue;

import io.infermesh.contracts.ObjectRef;
import io.infermesh.worker.storage.ObjectStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Artefacts from the models bucket: {@code s3://bucket/key} (the current version) or
 * {@code s3://bucket/key?versionId=V} (that version, pinned), fetched into
 * {@code <cache>/<model>/<version or ETag>/<file>} and reused while that version is there. A missing object or
 * version stops start-up naming it.
 */
final class BucketArtifacts implements WorkerModels.ArtifactStore {

    private static final Logger log = LoggerFactory.getLogger(BucketArtifacts.class);

    private final ObjectStorage storage;
    private final Path cache;

    BucketArtifacts(ObjectStorage storage, Path cache) {
        this.storage = storage;
        this.cache = cache;
    }

    /** {@code s3://bucket/key[?versionId=V]} as an object reference. */
    static ObjectRef parse(String uri) {
        String rest = uri.substring("s3://".length());
        String version = null;
        int query = rest.indexOf('?');
        if (query >= 0) {
            String q = rest.substring(query + 1);
            rest = rest.substring(0, query);
            if (!q.startsWith("versionId=") || q.length() == "versionId=".length()) {
                throw new IllegalArgumentException("artefact " + uri + ": the only query is ?versionId=<version>");
            }
            version = URLDecoder.decode(q.substring("versionId=".length()), StandardCharsets.UTF_8);
        }
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new IllegalArgumentException("artefact " + uri + " is not s3://bucket/key");
        }
        return new ObjectRef(rest.substring(0, slash), rest.substring(slash + 1), version, null, null, null);
    }

    @Override
    public Path fetch(String model, String uri) {
        ObjectRef ref;
        try {
            ref = parse(uri);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("model '" + model + "': " + e.getMessage(), e);
        }
        String fileName = Path.of(ref.key()).getFileName().toString();
        if (ref.versionId() != null) {
            Path pinned = cache.resolve(model).resolve(safe(ref.versionId())).resolve(fileName);
            if (Files.isRegularFile(pinned)) {
                log.info("model '{}': artefact {} from the cache {}", model, uri, pinned);
                return pinned;
            }
        }
        ObjectStorage.Fetched fetched;
        try {
            fetched = storage.fetch(ref);
        } catch (ObjectStorage.ObjectMissingException e) {
            throw new IllegalStateException(
                    "model '" + model + "' names artefact " + uri + ", which the models bucket does not have", e);
        }
        String version = fetched.versionId() != null && !"null".equals(fetched.versionId())
                ? fetched.versionId()
                : fetched.eTag() != null ? fetched.eTag() : "unversioned";
        Path target = cache.resolve(model).resolve(safe(version)).resolve(fileName);
        try {
            Files.createDirectories(target.getParent());
            Path part = Files.createTempFile(target.getParent(), fileName, ".part");
            Files.write(part, fetched.bytes());
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot cache artefact " + uri + " of model '" + model + "' in " + target, e);
        }
        log.info(
                "model '{}': artefact {} version {} ({} bytes) fetched to {}",
                model,
                uri,
                version,
                fetched.bytes().length,
                target);
        return target;
    }

    private static String safe(String version) {
        return version.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
