package io.infermesh.gateway.uploads;

import io.infermesh.gateway.GatewayProperties;
import io.infermesh.gateway.catalogue.Catalogue;
import io.infermesh.gateway.storage.OwnedKeys;
import io.infermesh.gateway.storage.Storage;
import io.infermesh.gateway.web.Problems;
import io.infermesh.security.Caller;
import java.time.Instant;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/uploads}: a presigned PUT into the caller's own inbox. The browser sends the file straight to the
 * object store; the gateway never carries the bytes, and the browser never holds storage credentials.
 */
@RestController
class UploadsController {

    /**
     * @param key where the file will be
     * @param url the presigned URL to PUT the file body to
     * @param method {@code PUT}
     * @param headers the headers to send with it, exactly
     * @param expiresAt when the URL stops working
     */
    record Upload(String key, String url, String method, Map<String, String> headers, Instant expiresAt) {}

    private final UploadRules rules;
    private final Storage storage;
    private final GatewayProperties properties;

    UploadsController(Catalogue catalogue, OwnedKeys keys, Storage storage, GatewayProperties properties) {
        this.rules = new UploadRules(catalogue, keys);
        this.storage = storage;
        this.properties = properties;
    }

    @PostMapping("/api/uploads")
    @ResponseStatus(HttpStatus.CREATED)
    Upload upload(Caller caller, @RequestBody UploadRules.UploadRequest request) {
        UploadRules.Accepted accepted;
        try {
            accepted = rules.decide(request, caller.owner());
        } catch (UploadRules.Refused refused) {
            throw Problems.of(
                    refused.refusal == UploadRules.Refusal.TOO_LARGE
                            ? HttpStatus.CONTENT_TOO_LARGE
                            : HttpStatus.BAD_REQUEST,
                    refused.title,
                    refused.getMessage());
        }
        Storage.Presigned put = storage.presignPut(
                accepted.key(),
                accepted.size(),
                accepted.contentType(),
                accepted.metadata(),
                properties.uploadUrlTtl());
        return new Upload(accepted.key(), put.url().toString(), put.method(), put.headers(), put.expiresAt());
    }
}
