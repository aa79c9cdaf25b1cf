package io.infermesh.ingest;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import java.net.URI;
import java.time.Duration;
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
 * @param webhook the MinIO webhook-target intake
 * @param sqs the SQS intake
 * @param results how the results of cloud backends' reports are checked against the jobs' outcomes
 */
@Validated
@ConfigurationProperties("infermesh.ingest")
public record IngestProperties(
        @NotEmpty List<String> inboxes,
        @Min(16) int maxKeyBytes,
        @Valid Webhook webhook,
        @Valid Sqs sqs,
        @Valid Results results) {

    public IngestProperties {
        inboxes = inboxes == null || inboxes.isEmpty() ? List.of("*/inbox/") : List.copyOf(inboxes);
        maxKeyBytes = maxKeyBytes == 0 ? 1024 : maxKeyBytes;
        webhook = webhook == null ? new Webhook(false, null) : webhook;
        sqs = sqs == null ? new Sqs(false, null, null, null, null, null, 0, 0, false, null) : sqs;
        results = results == null ? new Results(0, null, null) : results;
    }

    /**
     * The MinIO webhook-target intake, {@code POST /api/storage-events/minio}.
     *
     * @param enabled whether the endpoint exists (otherwise its path is refused like any other)
     * @param token the bearer token MinIO sends ({@code auth_token} of the webhook target). It has no default: an
     *     enabled webhook without one stops start-up with a sentence saying what to set, since a webhook that accepts
     *     nobody is a silent outage and one with a well-known token lets anyone create jobs in anyone's name
     */
    public record Webhook(boolean enabled, String token) {
        public Webhook {
            token = token == null ? "" : token.trim();
            if (enabled && token.isEmpty()) {
                throw new IllegalArgumentException("infermesh.ingest.webhook.token (environment variable "
                        + "INFERMESH_INGEST_WEBHOOK_TOKEN) must be set when infermesh.ingest.webhook.enabled is true: "
                        + "it is the auth_token of MinIO's webhook target and has no default. Set it to a secret, or "
                        + "switch the webhook off with INFERMESH_INGEST_WEBHOOK_ENABLED=false");
            }
        }
    }

    /**
     * The SQS intake: S3 events sent to SQS directly, through SNS (enveloped or raw) or through EventBridge; on the
     * same queues, told apart by shape, the completions of jobs the router ran on AWS Lambda (destination records)
     * and AWS Batch (job state change events).
     *
     * @param enabled whether the queues are polled (default false)
     * @param queueUrls the queues, one poller thread each; required when enabled
     * @param endpoint SQS endpoint; empty for AWS itself
     * @param region the region (default {@code us-east-1})
     * @param accessKey static access key; empty to use the AWS default credentials chain
     * @param secretKey static secret key
     * @param waitTimeSeconds long-poll wait, 1 to 20 seconds (default 20, the SQS maximum)
     * @param maxMessages messages per receive, 1 to 10 (default 10)
     * @param headObjects whether to read an uploaded object's user metadata with an S3 HeadObject (AWS S3's
     *     notifications carry none, so without it the owner's placement choice, {@code x-amz-meta-infermesh-placement},
     *     is not seen on this intake and the model card decides); one HeadObject per inbox upload, with the same region
     *     and keys, needing {@code s3:GetObject} on the inbox (default false)
     * @param s3Endpoint the S3 endpoint for those HeadObjects; empty for AWS itself (set for moto, LocalStack, MinIO)
     */
    public record Sqs(
            boolean enabled,
            List<String> queueUrls,
            URI endpoint,
            String region,
            String accessKey,
            String secretKey,
            @Min(0) @Max(20) int waitTimeSeconds,
            @Min(0) @Max(10) int maxMessages,
            boolean headObjects,
            URI s3Endpoint) {
        public Sqs {
            queueUrls = queueUrls == null
                    ? List.of()
                    : queueUrls.stream()
                            .map(String::trim)
                            .filter(url -> !url.isEmpty())
                            .toList();
            region = region == null || region.isBlank() ? "us-east-1" : region;
            waitTimeSeconds = waitTimeSeconds == 0 ? 20 : waitTimeSeconds;
            maxMessages = maxMessages == 0 ? 10 : maxMessages;
            if (enabled && queueUrls.isEmpty()) {
                throw new IllegalArgumentException(
                        "infermesh.ingest.sqs.queue-urls must name at least one queue when infermesh.ingest.sqs.enabled is true");
            }
        }
    }

    /**
     * A cloud backend's result goes to {@code infermesh.jobs.results} only when its success is the job's outcome as
     * the status API shows it (ADR 0016): not after the job succeeded in another attempt or was cancelled. ingest
     * follows {@code infermesh.jobs.lifecycle} to know (while the SQS intake runs, the only one carrying results).
     *
     * @param recentJobs how many jobs it remembers, the most recently first seen (default 100000); a late report of a
     *     job forgotten is judged as one of a job never seen
     * @param lookback how far back in the lifecycle it starts reading when it starts (default 1 hour)
     * @param lifecycleWait how long a report with a result waits for its own lifecycle event to come back through that
     *     reader before it is left on its queue to come again (default 10 seconds)
     */
    public record Results(@Min(0) int recentJobs, Duration lookback, Duration lifecycleWait) {
        public Results {
            recentJobs = recentJobs == 0 ? 100_000 : recentJobs;
            lookback = lookback == null ? Duration.ofHours(1) : lookback;
            lifecycleWait = lifecycleWait == null ? Duration.ofSeconds(10) : lifecycleWait;
            if (lookback.isNegative() || lifecycleWait.isNegative() || lifecycleWait.isZero()) {
                throw new IllegalArgumentException("infermesh.ingest.results.lookback must not be negative and"
                        + " infermesh.ingest.results.lifecycle-wait must be positive, got " + lookback + " and "
                        + lifecycleWait);
            }
        }
    }
}
