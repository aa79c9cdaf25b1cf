package io.infermesh.ingest.intake;

import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.ingest.IngestProperties;
import io.infermesh.ingest.jobs.Inbox;
import io.infermesh.ingest.notification.BucketNotification;
import io.infermesh.ingest.notification.MalformedNotificationException;
import io.infermesh.ingest.notification.ObjectCreated;
import io.infermesh.ingest.notification.S3EventRecords;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every intake path does with one notification: parse it, classify each object-created record against the
 * inboxes, publish the job events (synchronously) and count. Each object-created record in an inbox becomes a
 * {@link JobRequested} and a PENDING {@link JobStatusChanged}; a record whose key cannot name a model and owner
 * becomes a job that is FAILED at once. The intake paths differ only in how a notification arrives and how it is
 * acknowledged; they all call this class, with their own {@code intake} metric tag.
 */
@Component
public class NotificationHandler {

    private static final Logger log = LoggerFactory.getLogger(NotificationHandler.class);

    private final S3EventRecords parser;
    private final Inbox inbox;
    private final JobEventPublisher publisher;
    private final MeterRegistry meters;

    public NotificationHandler(JsonMapper json, IngestProperties properties, JobEventPublisher publisher,
            MeterRegistry meters) {
        this.parser = new S3EventRecords(json);
        this.inbox = new Inbox(properties.inboxes(), properties.maxKeyBytes());
        this.publisher = publisher;
        this.meters = meters;
    }

    /** What one notification became. */
    public record Result(List<String> jobIds, int rejected, int ignored) {
    }

    /**
     * Registers an intake's counters up front, so that dashboards show zeros, not gaps.
     *
     * @param intake the intake's metric tag, e.g. {@code minio-kafka}
     */
    public void register(String intake) {
        meters.counter("infermesh.ingest.notifications", "intake", intake);
        meters.counter("infermesh.ingest.jobs.created", "intake", intake);
        meters.counter("infermesh.ingest.notifications.malformed", "intake", intake);
    }

    /**
     * Handles one S3-style notification body ({@code {"Records":[...]}}, MinIO's {@code {"EventName","Key",
     * "Records"}}, or a record-less one such as {@code s3:TestEvent}). Returns after Kafka acknowledged every event.
     *
     * @throws MalformedNotificationException (counted) when the body is not a notification we understand
     */
    public Result handle(byte[] body, String intake) {
        return handle(() -> parser.parse(body), intake);
    }

    /**
     * Handles a notification that an intake path parsed itself (e.g. unwrapped from an envelope).
     *
     * @param notification parses the notification; a {@link MalformedNotificationException} from it is counted
     */
    public Result handle(Supplier<BucketNotification> notification, String intake) {
        meters.counter("infermesh.ingest.notifications", "intake", intake).increment();
        BucketNotification parsed;
        try {
            parsed = notification.get();
        } catch (MalformedNotificationException e) {
            meters.counter("infermesh.ingest.notifications.malformed", "intake", intake).increment();
            log.warn("malformed notification on {}: {}", intake, e.getMessage());
            throw e;
        }
        List<String> jobIds = new ArrayList<>();
        int rejected = 0;
        int ignored = parsed.ignoredEventNames().size();
        parsed.ignoredEventNames().forEach(name -> ignored(intake, ignoredReason(name)));
        for (ObjectCreated object : parsed.created()) {
            switch (inbox.classify(object)) {
                case Inbox.NewJob job -> {
                    publisher.requested(new JobRequested(job.jobId(), job.model(), job.owner(), job.input(),
                            object.eventTime(), intake));
                    publisher.statusChanged(JobStatusChanged
                            .of(job.jobId(), job.model(), job.owner(), JobStatus.PENDING, 1, Instant.now())
                            .withInput(job.input()));
                    meters.counter("infermesh.ingest.jobs.created", "intake", intake).increment();
                    jobIds.add(job.jobId());
                    log.info("job {} for {} (model {}, owner {}, via {})", job.jobId(), job.input().uri(),
                            job.model(), job.owner(), intake);
                }
                case Inbox.RejectedJob job -> {
                    Instant now = Instant.now();
                    publisher.statusChanged(JobStatusChanged
                            .of(job.jobId(), job.model(), job.owner(), JobStatus.PENDING, 1, now)
                            .withInput(job.input()));
                    publisher.statusChanged(JobStatusChanged
                            .of(job.jobId(), job.model(), job.owner(), JobStatus.FAILED, 1, now)
                            .withInput(job.input()).withFailure(job.reason(), job.message()));
                    meters.counter("infermesh.ingest.jobs.rejected", "intake", intake, "reason",
                            job.reason().name()).increment();
                    rejected++;
                    jobIds.add(job.jobId());
                    log.info("job {} for {} rejected: {} (via {})", job.jobId(), job.input().uri(), job.message(),
                            intake);
                }
                case Inbox.Ignored why -> {
                    ignored(intake, why.reason());
                    ignored++;
                }
            }
        }
        return new Result(List.copyOf(jobIds), rejected, ignored);
    }

    private void ignored(String intake, String reason) {
        meters.counter("infermesh.ingest.records.ignored", "intake", intake, "reason", reason).increment();
    }

    static String ignoredReason(String eventName) {
        if (eventName.contains("TestEvent")) {
            return "test-event";
        }
        if (eventName.contains("ObjectRemoved") || eventName.contains("Object Deleted")) {
            return "removal";
        }
        if (eventName.contains("ObjectAccessed")) {
            return "access";
        }
        return "no-records".equals(eventName) ? "no-records" : "other-event";
    }
}
