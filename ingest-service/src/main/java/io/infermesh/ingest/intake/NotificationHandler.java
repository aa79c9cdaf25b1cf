package io.infermesh.ingest.intake;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.events.JobEventSender;
import io.infermesh.ingest.IngestProperties;
import io.infermesh.ingest.jobs.Inbox;
import io.infermesh.ingest.notification.BackendReport;
import io.infermesh.ingest.notification.BucketNotification;
import io.infermesh.ingest.notification.MalformedNotificationException;
import io.infermesh.ingest.notification.ObjectCreated;
import io.infermesh.ingest.notification.QueueMessage;
import io.infermesh.ingest.notification.S3EventRecords;
import io.infermesh.ingest.outcomes.LifecycleFollower;
import io.infermesh.ingest.outcomes.Standing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every intake path does with one notification: parse it, classify each object-created record against the
 * inboxes, publish the job events (synchronously) and count. Each object-created record in an inbox becomes a
 * {@link JobRequested} (with the backend its owner asked for, if any) and a PENDING {@link JobStatusChanged}; a record
 * whose key cannot name a model and owner, or whose placement metadata is not one we know, becomes a job that is
 * FAILED at once. The intake paths differ only in how a notification arrives and how it is
 * acknowledged; they all call this class, with their own {@code intake} metric tag. On queues, a message may also be
 * a cloud backend's report on a job's attempt ({@link BackendReport}): its lifecycle event is published as the worker
 * would publish it for an on-premises attempt, and a success's result only if, once that event is in the lifecycle,
 * the job's outcome is that success ({@link LifecycleFollower}, ADR 0016): a late success of another attempt of a job
 * that already succeeded, or of a cancelled job, goes to the job's history and nowhere else.
 */
@Component
public class NotificationHandler {

    private static final Logger log = LoggerFactory.getLogger(NotificationHandler.class);

    private final S3EventRecords parser;
    private final Inbox inbox;
    private final JobEventSender publisher;
    private final LifecycleFollower lifecycle;
    private final MeterRegistry meters;

    public NotificationHandler(
            JsonMapper json,
            IngestProperties properties,
            JobEventSender publisher,
            LifecycleFollower lifecycle,
            MeterRegistry meters) {
        this.parser = new S3EventRecords(json);
        this.inbox = new Inbox(properties.inboxes(), properties.maxKeyBytes());
        this.publisher = publisher;
        this.lifecycle = lifecycle;
        this.meters = meters;
    }

    /** What one notification became. */
    public record Result(List<String> jobIds, int rejected, int ignored) {}

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
     * Registers the counters of cloud backend reports, for the intake paths that carry them (SQS).
     *
     * @param intake the intake's metric tag
     */
    public void registerBackendReports(String intake) {
        for (Backend backend : List.of(Backend.LAMBDA, Backend.BATCH)) {
            for (JobStatus status : List.of(
                    JobStatus.RUNNABLE, JobStatus.STARTING, JobStatus.RUNNING, JobStatus.SUCCEEDED, JobStatus.FAILED)) {
                if (backend == Backend.BATCH || status.isTerminal()) {
                    completions(intake, backend, status);
                }
            }
        }
        for (String reason : List.of("succeeded-in-another-attempt", "cancelled", "superseded")) {
            meters.counter("infermesh.ingest.results.withheld", "intake", intake, "reason", reason);
        }
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
     * Handles a message that an intake path parsed itself (e.g. unwrapped from an envelope): a bucket notification
     * or a cloud backend's report. Returns after Kafka acknowledged every event.
     *
     * @param message parses the message; a {@link MalformedNotificationException} from it is counted and rethrown
     */
    public Result handle(Supplier<? extends QueueMessage> message, String intake) {
        meters.counter("infermesh.ingest.notifications", "intake", intake).increment();
        QueueMessage parsed;
        try {
            parsed = message.get();
        } catch (MalformedNotificationException e) {
            meters.counter("infermesh.ingest.notifications.malformed", "intake", intake)
                    .increment();
            // logged at WARN where it is answered: dead-lettered (UnreadableNotifications) or refused (webhook 400)
            log.debug("malformed notification on {}: {}", intake, e.getMessage());
            throw e;
        }
        return switch (parsed) {
            case BucketNotification notification -> jobs(notification, intake);
            case BackendReport report -> report(report, intake);
        };
    }

    private Result jobs(BucketNotification parsed, String intake) {
        List<String> jobIds = new ArrayList<>();
        int rejected = 0;
        int ignored = parsed.ignoredEventNames().size();
        parsed.ignoredEventNames().forEach(name -> ignored(intake, ignoredReason(name)));
        for (ObjectCreated object : parsed.created()) {
            switch (inbox.classify(object)) {
                case Inbox.NewJob job -> {
                    publisher.requested(new JobRequested(
                                    job.jobId(), job.model(), job.owner(), job.input(), object.eventTime(), intake)
                            .withRequestedBackend(job.requestedBackend()));
                    publisher.statusChanged(JobStatusChanged.of(
                                    job.jobId(), job.model(), job.owner(), JobStatus.PENDING, 1, Instant.now())
                            .withInput(job.input()));
                    meters.counter("infermesh.ingest.jobs.created", "intake", intake)
                            .increment();
                    jobIds.add(job.jobId());
                    log.info(
                            "job {} for {} (model {}, owner {}{}, via {})",
                            job.jobId(),
                            job.input().uri(),
                            job.model(),
                            job.owner(),
                            job.requestedBackend() == null
                                    ? ""
                                    : ", requested "
                                            + job.requestedBackend().name().toLowerCase(Locale.ROOT),
                            intake);
                }
                case Inbox.RejectedJob job -> {
                    Instant now = Instant.now();
                    publisher.statusChanged(
                            JobStatusChanged.of(job.jobId(), job.model(), job.owner(), JobStatus.PENDING, 1, now)
                                    .withInput(job.input()));
                    publisher.statusChanged(
                            JobStatusChanged.of(job.jobId(), job.model(), job.owner(), JobStatus.FAILED, 1, now)
                                    .withInput(job.input())
                                    .withFailure(job.reason(), job.message()));
                    meters.counter(
                                    "infermesh.ingest.jobs.rejected",
                                    "intake",
                                    intake,
                                    "reason",
                                    job.reason().name())
                            .increment();
                    rejected++;
                    jobIds.add(job.jobId());
                    log.info(
                            "job {} for {} rejected: {} (via {})",
                            job.jobId(),
                            job.input().uri(),
                            job.message(),
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

    private Result report(BackendReport report, String intake) {
        return switch (report) {
            case BackendReport.NotOurs why -> {
                ignored(intake, why.reason());
                yield new Result(List.of(), 0, 1);
            }
            case BackendReport.NothingNew why -> {
                ignored(intake, why.reason());
                yield new Result(List.of(), 0, 1);
            }
            case BackendReport.StatusChange change -> {
                JobStatusChanged event = change.event();
                if (change.result() == null) {
                    publisher.statusChanged(event);
                } else {
                    publishWithResult(event, change.result(), intake);
                }
                completions(intake, event.backend(), event.status()).increment();
                log.info(
                        "job {} attempt {} {} on {}{} (via {})",
                        event.jobId(),
                        event.attempt(),
                        event.status(),
                        event.backend().name().toLowerCase(Locale.ROOT),
                        event.reason() == null ? "" : ": " + event.reason() + ", " + event.message(),
                        intake);
                yield new Result(List.of(event.jobId()), 0, 0);
            }
        };
    }

    /**
     * The lifecycle event first, then the result only if the job's outcome, in the lifecycle's order right after that
     * event, is this success. A repeat of the same report (a redelivery) is judged the same way and publishes the same
     * ids again.
     */
    private void publishWithResult(JobStatusChanged event, JobResult result, String intake) {
        Standing after = lifecycle.publishAndFollow(event, () -> publisher.statusChanged(event));
        if (after.succeededIn(event.attempt())) {
            publisher.result(result);
            return;
        }
        meters.counter("infermesh.ingest.results.withheld", "intake", intake, "reason", after.withheldBecause())
                .increment();
        log.info(
                "job {} attempt {} {} on {}: its result is not published, the job stands {} in attempt {} (via {})",
                event.jobId(),
                event.attempt(),
                event.status(),
                event.backend().name().toLowerCase(Locale.ROOT),
                after.status(),
                after.attempt(),
                intake);
    }

    private Counter completions(String intake, Backend backend, JobStatus status) {
        return meters.counter(
                "infermesh.ingest.completions",
                "intake",
                intake,
                "backend",
                backend.name().toLowerCase(Locale.ROOT),
                "status",
                status.name());
    }

    private void ignored(String intake, String reason) {
        meters.counter("infermesh.ingest.records.ignored", "intake", intake, "reason", reason)
                .increment();
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
