package io.infermesh.ingest.sqs;

import io.infermesh.ingest.jobs.Inbox;
import io.infermesh.ingest.notification.BucketNotification;
import io.infermesh.ingest.notification.ObjectCreated;
import io.infermesh.ingest.notification.QueueMessage;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The user metadata of uploads announced in AWS S3's notification formats (S3, SNS, EventBridge), which carry none,
 * read with one S3 HeadObject per inbox upload — so that the owner's placement choice
 * ({@code x-amz-meta-infermesh-placement}) is seen on the SQS intake as it is in MinIO's notifications.
 *
 * <p>Only objects that would become jobs are looked up (not results, folders or objects outside the inboxes). An object
 * that is gone (404) or that this service may not read (another 4xx: grant {@code s3:GetObject}) has no metadata to
 * honour, and its model card decides (logged, counted); a server or network error throws
 * {@link MetadataUnavailableException}, and the message stays on the queue and comes back.
 */
final class ObjectMetadata {

    private static final Logger log = LoggerFactory.getLogger(ObjectMetadata.class);

    private final S3Client s3;
    private final Inbox inbox;
    private final MeterRegistry meters;

    ObjectMetadata(S3Client s3, Inbox inbox, MeterRegistry meters) {
        this.s3 = s3;
        this.inbox = inbox;
        this.meters = meters;
        for (String outcome : List.of("found", "not-found", "refused", "error")) {
            meters.counter("infermesh.ingest.sqs.head-objects", "outcome", outcome);
        }
    }

    /** A HeadObject that failed for a reason that may pass: the message is to be tried again later. */
    static final class MetadataUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MetadataUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The message with the metadata of each inbox upload that came without any. */
    QueueMessage complete(QueueMessage message) {
        if (!(message instanceof BucketNotification notification)
                || notification.created().stream().noneMatch(this::wanted)) {
            return message;
        }
        List<ObjectCreated> created = notification.created().stream()
                .map(object -> wanted(object) ? object.withUserMetadata(metadata(object)) : object)
                .toList();
        return new BucketNotification(created, notification.ignoredEventNames());
    }

    private boolean wanted(ObjectCreated object) {
        return object.userMetadata() == null && inbox.classify(object) instanceof Inbox.NewJob;
    }

    private Map<String, String> metadata(ObjectCreated object) {
        String where = "s3://" + object.bucket() + "/" + object.key()
                + (hasVersion(object) ? " (version " + object.versionId() + ")" : "");
        HeadObjectRequest.Builder request =
                HeadObjectRequest.builder().bucket(object.bucket()).key(object.key());
        if (hasVersion(object)) {
            request.versionId(object.versionId());
        }
        try {
            HeadObjectResponse head = s3.headObject(request.build());
            count("found");
            return head.metadata();
        } catch (S3Exception e) {
            int status = e.statusCode();
            if (status == 404) {
                count("not-found");
                log.info("{} is gone; its model card decides where it runs", where);
                return Map.of();
            }
            if (status >= 400 && status < 500) {
                count("refused");
                log.warn(
                        "cannot read the metadata of {} (HTTP {}: {}); its model card decides where it runs. "
                                + "Grant s3:GetObject on the inbox to honour its owner's placement choice",
                        where,
                        status,
                        e.awsErrorDetails() == null
                                ? e.getMessage()
                                : e.awsErrorDetails().errorMessage());
                return Map.of();
            }
            count("error");
            throw new MetadataUnavailableException("HeadObject of " + where + " failed (HTTP " + status + ")", e);
        } catch (SdkException e) {
            count("error");
            throw new MetadataUnavailableException("HeadObject of " + where + " failed: " + e.getMessage(), e);
        }
    }

    private static boolean hasVersion(ObjectCreated object) {
        return object.versionId() != null && !object.versionId().isEmpty() && !"null".equals(object.versionId());
    }

    private void count(String outcome) {
        meters.counter("infermesh.ingest.sqs.head-objects", "outcome", outcome).increment();
    }
}
