package io.infermesh.gateway;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The gateway's configuration, {@code infermesh.gateway.*} (README.md). The OIDC login itself is Spring
 * Security's registration {@code infermesh} ({@code spring.security.oauth2.client.*}).
 *
 * @param bucket the bucket holding every owner's inbox and results
 * @param inboxPrefix where uploads go: {@code <inboxPrefix><model>/<owner>/…}
 * @param resultsPrefix where workers write results: {@code <resultsPrefix><model>/<owner>/<jobId>/result.json}
 * @param modelsDir the folder of model cards ({@code <name>/model.yaml}) and their samples
 * @param statusUrl status-service's base URL, called with the signed-in person's access token
 * @param statusTimeout how long the gateway waits for status-service to accept a connection and to answer one call
 *     (for the live stream: to answer with its headers); past it the page gets a 502 problem, never a hang
 * @param uploadUrlTtl how long a presigned upload URL works
 * @param downloadUrlTtl how long a presigned download URL works
 * @param postLogoutRedirectUri where the provider sends the browser after RP-initiated logout (must be registered
 *     at the provider for this client); empty: none is sent and the provider shows its own page
 * @param s3 how to reach the object store, and the address browsers reach it at
 */
@Validated
@ConfigurationProperties("infermesh.gateway")
public record GatewayProperties(
        @NotBlank String bucket,

        @DefaultValue("inbox/") @Pattern(regexp = "([A-Za-z0-9._-]+/)+")
        String inboxPrefix,

        @DefaultValue("results/") @Pattern(regexp = "([A-Za-z0-9._-]+/)+")
        String resultsPrefix,

        @DefaultValue("models") @NotNull Path modelsDir,
        @DefaultValue("http://127.0.0.1:8080") @NotNull URI statusUrl,
        @DefaultValue("10s") @NotNull Duration statusTimeout,
        @DefaultValue("10m") @NotNull Duration uploadUrlTtl,
        @DefaultValue("2m") @NotNull Duration downloadUrlTtl,
        @DefaultValue("") String postLogoutRedirectUri,
        @DefaultValue @Valid @NotNull S3 s3) {

    public GatewayProperties {
        if (inboxPrefix != null && inboxPrefix.equals(resultsPrefix)) {
            throw new IllegalArgumentException(
                    "infermesh.gateway.inbox-prefix and results-prefix must differ, both are " + inboxPrefix);
        }
        if (statusTimeout != null && (statusTimeout.isNegative() || statusTimeout.isZero())) {
            throw new IllegalArgumentException(
                    "infermesh.gateway.status-timeout must be more than 0, got " + statusTimeout);
        }
        if (uploadUrlTtl != null
                && (uploadUrlTtl.isNegative()
                        || uploadUrlTtl.isZero()
                        || uploadUrlTtl.compareTo(Duration.ofDays(7)) > 0)) {
            throw new IllegalArgumentException("infermesh.gateway.upload-url-ttl must be more than 0 and at most 7 days"
                    + " (S3's limit for presigned URLs), got " + uploadUrlTtl);
        }
        if (downloadUrlTtl != null
                && (downloadUrlTtl.isNegative()
                        || downloadUrlTtl.isZero()
                        || downloadUrlTtl.compareTo(Duration.ofDays(7)) > 0)) {
            throw new IllegalArgumentException("infermesh.gateway.download-url-ttl must be more than 0 and at most 7 "
                    + "days (S3's limit for presigned URLs), got " + downloadUrlTtl);
        }
    }

    /**
     * The object store.
     *
     * @param endpoint the S3 endpoint the gateway lists and deletes with; empty: AWS's regional endpoint
     * @param publicEndpoint the S3 endpoint presigned URLs name, as the browser reaches it (a proxy or public DNS
     *     name in front of MinIO); empty: {@code endpoint}
     * @param region the signing region
     * @param accessKey an access key; empty: the AWS default credential chain
     * @param secretKey the secret of {@code accessKey}
     * @param pathStyle {@code http://host/bucket/key} rather than {@code http://bucket.host/key} (MinIO, the local
     *     endpoint)
     */
    public record S3(
            URI endpoint,
            URI publicEndpoint,
            @DefaultValue("us-east-1") String region,
            String accessKey,
            String secretKey,
            @DefaultValue("true") boolean pathStyle) {

        public S3 {
            endpoint = blank(endpoint) ? null : endpoint;
            publicEndpoint = blank(publicEndpoint) ? endpoint : publicEndpoint;
            region = region == null || region.isBlank() ? "us-east-1" : region;
            if (accessKey != null && !accessKey.isBlank() && (secretKey == null || secretKey.isBlank())) {
                throw new IllegalArgumentException("infermesh.gateway.s3.secret-key is empty but access-key is set");
            }
        }

        private static boolean blank(URI uri) {
            return uri == null || uri.toString().isBlank();
        }

        /** Whether static keys are configured (else the AWS default chain). */
        public boolean hasKeys() {
            return accessKey != null && !accessKey.isBlank();
        }
    }
}
