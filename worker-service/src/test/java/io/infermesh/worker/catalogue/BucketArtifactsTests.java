package io.infermesh.worker.catalogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermesh.localinfra.MotoServer;
import io.infermesh.worker.engine.InferenceEngine;
import io.infermesh.worker.engine.ModelEntry;
import io.infermesh.worker.engine.ModelFailureException;
import io.infermesh.worker.storage.ObjectStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.json.JsonMapper;

/**
 * Model artefacts from a versioned models bucket (a moto server's S3, real AWS SDK v2): a card pins a version, or
 * takes the current one; the fetched file is cached per version.
 */
@ExtendWith(MotoServer.class)
class BucketArtifactsTests {

    private static final Path DIGITS = Path.of("../models/digits");

    @TempDir
    Path models;

    @TempDir
    Path cache;

    S3Client s3;
    String bucket;
    String goodVersion;
    InferenceEngine engine;

    @BeforeEach
    void versionedBucket() throws Exception {
        s3 = MotoServer.s3();
        bucket = "models-" + UUID.randomUUID();
        s3.createBucket(b -> b.bucket(bucket));
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status("Enabled")));
        goodVersion = s3.putObject(
                        b -> b.bucket(bucket).key("digits/model.onnx"),
                        RequestBody.fromFile(DIGITS.resolve("model.onnx")))
                .versionId();
        // a later upload overwrote it with something that is not a model
        s3.putObject(
                b -> b.bucket(bucket).key("digits/model.onnx"),
                RequestBody.fromString("not a model", StandardCharsets.UTF_8));
        engine = new InferenceEngine(JsonMapper.builder().build(), 1);
    }

    @AfterEach
    void close() {
        engine.close();
        s3.close();
    }

    private WorkerModels load(String artifact) throws Exception {
        Path card = Files.createDirectories(models.resolve("digits")).resolve("model.yaml");
        Files.writeString(
                card,
                Files.readString(DIGITS.resolve("model.yaml"))
                        .replace("artifact: model.onnx", "artifact: \"" + artifact + "\""));
        return WorkerModels.load(models, List.of(), new BucketArtifacts(new ObjectStorage(MotoServer.s3()), cache));
    }

    @Test
    void aPinnedVersionIsTheOneThatRunsAndItIsCachedUnderItsVersion() throws Exception {
        ModelEntry digits = load("s3://" + bucket + "/digits/model.onnx?versionId=" + goodVersion)
                .find("digits")
                .orElseThrow();

        assertThat(digits.artifact()).startsWith(cache.resolve("digits"));
        assertThat(engine.run(digits, Files.readAllBytes(DIGITS.resolve("samples/digit-7.png")))
                        .rows()
                        .getFirst()
                        .getFirst()
                        .label())
                .isEqualTo("7");

        // the version is gone from the bucket: the cached copy still serves the pinned card
        s3.deleteObject(b -> b.bucket(bucket).key("digits/model.onnx").versionId(goodVersion));
        assertThat(load("s3://" + bucket + "/digits/model.onnx?versionId=" + goodVersion)
                        .find("digits")
                        .orElseThrow()
                        .artifact())
                .isEqualTo(digits.artifact());
    }

    @Test
    void withoutAVersionTheCurrentObjectIsTaken() throws Exception {
        ModelEntry digits =
                load("s3://" + bucket + "/digits/model.onnx").find("digits").orElseThrow();

        assertThat(Files.readString(digits.artifact())).isEqualTo("not a model");
        assertThatThrownBy(() -> engine.run(digits, Files.readAllBytes(DIGITS.resolve("samples/digit-7.png"))))
                .isInstanceOf(ModelFailureException.class)
                .hasMessageContaining("cannot load model 'digits'");
    }

    @Test
    void aMissingObjectOrVersionStopsStartUpNamingIt() {
        assertThatThrownBy(() -> load("s3://" + bucket + "/digits/other.onnx"))
                .hasMessageContaining("model 'digits' names artefact s3://" + bucket + "/digits/other.onnx")
                .hasMessageContaining("does not have");
        assertThatThrownBy(() -> load("s3://" + bucket + "/digits/model.onnx?versionId=no-such-version"))
                .hasMessageContaining("versionId=no-such-version");
        assertThatThrownBy(() -> load("s3://" + bucket)).hasMessageContaining("is not s3://bucket/key");
    }

    @Test
    void withoutAnObjectStoreAnS3ArtefactIsRefusedWithTheReason() throws Exception {
        Path card = Files.createDirectories(models.resolve("digits")).resolve("model.yaml");
        Files.writeString(
                card,
                Files.readString(DIGITS.resolve("model.yaml"))
                        .replace("artifact: model.onnx", "artifact: s3://models/digits/model.onnx"));
        assertThatThrownBy(() -> WorkerModels.load(models, List.of()))
                .hasMessageContaining("has no object store: bake the ONNX file into the models folder");
    }
}
