package io.infermesh.gateway.files;

import io.infermesh.gateway.GatewayProperties;
import io.infermesh.gateway.catalogue.Catalogue;
import io.infermesh.gateway.storage.OwnedKeys;
import io.infermesh.gateway.storage.Storage;
import io.infermesh.gateway.web.Problems;
import io.infermesh.security.Caller;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The caller's own objects: their inputs and results per model, a short-lived download URL of one, and deleting one.
 * An operator too sees only their own here (operators use status-service and the store directly).
 */
@RestController
class FilesController {

    /** At most this many objects per model and side are listed. */
    static final int LIST_LIMIT = 1000;

    /**
     * @param key the object's key
     * @param size its size in bytes
     * @param lastModified when it was written
     * @param model the model it is for
     */
    record FileView(String key, long size, Instant lastModified, String model) {}

    record Files(List<FileView> inputs, List<FileView> results) {}

    record DownloadRequest(String key) {}

    record Download(String url, Instant expiresAt) {}

    private final Catalogue catalogue;
    private final OwnedKeys keys;
    private final Storage storage;
    private final GatewayProperties properties;

    FilesController(Catalogue catalogue, OwnedKeys keys, Storage storage, GatewayProperties properties) {
        this.catalogue = catalogue;
        this.keys = keys;
        this.storage = storage;
        this.properties = properties;
    }

    @GetMapping("/api/files")
    Files files(Caller caller) {
        List<FileView> inputs = new ArrayList<>();
        List<FileView> results = new ArrayList<>();
        for (Catalogue.Model model : catalogue.models()) {
            storage.list(keys.inboxOf(model.name(), caller.owner()), LIST_LIMIT)
                    .forEach(o -> inputs.add(new FileView(o.key(), o.size(), o.lastModified(), model.name())));
            storage.list(keys.resultsOf(model.name(), caller.owner()), LIST_LIMIT)
                    .forEach(o -> results.add(new FileView(o.key(), o.size(), o.lastModified(), model.name())));
        }
        return new Files(inputs, results);
    }

    @PostMapping("/api/files/download")
    Download download(Caller caller, @RequestBody DownloadRequest request) {
        OwnedKeys.Owned owned = own(caller, request == null ? null : request.key());
        String name = owned.key().substring(owned.key().lastIndexOf('/') + 1);
        Storage.Presigned get = storage.presignGet(owned.key(), properties.downloadUrlTtl(), name);
        return new Download(get.url().toString(), get.expiresAt());
    }

    @DeleteMapping("/api/files")
    ResponseEntity<Void> delete(Caller caller, @RequestParam String key) {
        OwnedKeys.Owned owned = own(caller, key);
        if (!storage.exists(owned.key())) {
            throw Problems.of(HttpStatus.NOT_FOUND, "No such file", "There is no file '" + owned.key() + "'");
        }
        storage.delete(owned.key());
        return ResponseEntity.noContent().build();
    }

    /** The key as the caller's own, or 403 without saying anything about the object. */
    private OwnedKeys.Owned own(Caller caller, String key) {
        return keys.owned(key, caller.owner())
                .orElseThrow(() -> Problems.of(
                        HttpStatus.FORBIDDEN,
                        "Not your file",
                        "You may only use keys under your own inbox or results prefix"));
    }
}
