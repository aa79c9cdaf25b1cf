package io.infermesh.ingest;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * ingest-service configuration, prefix {@code infermesh.ingest}.
 *
 * @param inboxes where uploads make jobs, each {@code <bucket>/<prefix>} ({@code *} for any bucket); the key after
 *     the prefix must be {@code <model>/<owner>/<file>}. Objects anywhere else (the results location included) never
 *     make jobs. The default is the {@code inbox/} prefix of every bucket.
 * @param maxKeyBytes the longest object key accepted, in UTF-8 bytes; longer keys make a FAILED job (S3 allows 1024)
 */
@Validated
@ConfigurationProperties("infermesh.ingest")
public record IngestProperties(@NotEmpty List<String> inboxes, @Min(16) int maxKeyBytes) {

    public IngestProperties {
        inboxes = inboxes == null || inboxes.isEmpty() ? List.of("*/inbox/") : List.copyOf(inboxes);
        maxKeyBytes = maxKeyBytes == 0 ? 1024 : maxKeyBytes;
    }
}
