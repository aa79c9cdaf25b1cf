package io.infermesh.ingest.kafka;

import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.ingest.IngestProperties;
import io.infermesh.ingest.jobs.Inbox;
import io.infermesh.ingest.notification.BucketNotification;
import io.infermesh.ingest.notification.ObjectCreated;
import io.infermesh.ingest.notification.S3EventRecords;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;
import tools.jackson.databind.json.JsonMapper;

/**
 * The MinIO Kafka-target intake ({@code infermesh.storage.events}): each object-created record in the inbox becomes
 * a {@link JobRequested} and a PENDING {@link JobStatusChanged}; a record whose key cannot name a model and owner
 * becomes a job that is FAILED at once. Malformed messages are dead-lettered by the binder.
 */
@Configuration(proxyBeanMethods = false)
class StorageEventIntake {

    static final String INTAKE = "minio-kafka";
    private static final Logger log = LoggerFactory.getLogger(StorageEventIntake.class);

    @Bean
    Consumer<Message<byte[]>> ingestStorageEvent(JsonMapper json, IngestProperties properties,
            JobEventPublisher publisher, MeterRegistry meters) {
        S3EventRecords parser = new S3EventRecords(json);
        Inbox inbox = new Inbox(properties.inboxes(), properties.maxKeyBytes());
        // registered up front so that dashboards show zeros, not gaps
        var notifications = meters.counter("infermesh.ingest.notifications", "intake", INTAKE);
        var created = meters.counter("infermesh.ingest.jobs.created", "intake", INTAKE);
        return message -> {
            notifications.increment();
            BucketNotification notification = parser.parse(message.getPayload());
            notification.ignoredEventNames().forEach(name -> meters
                    .counter("infermesh.ingest.records.ignored", "intake", INTAKE, "reason", ignoredReason(name))
                    .increment());
            for (ObjectCreated object : notification.created()) {
                accept(inbox.classify(object), object, publisher, meters, created);
            }
        };
    }

    private static void accept(Inbox.Outcome outcome, ObjectCreated object, JobEventPublisher publisher,
            MeterRegistry meters, io.micrometer.core.instrument.Counter created) {
        switch (outcome) {
            case Inbox.NewJob job -> {
                publisher.requested(new JobRequested(job.jobId(), job.model(), job.owner(), job.input(),
                        object.eventTime(), INTAKE));
                publisher.statusChanged(JobStatusChanged
                        .of(job.jobId(), job.model(), job.owner(), JobStatus.PENDING, 1, Instant.now())
                        .withInput(job.input()));
                created.increment();
                log.info("job {} for {} (model {}, owner {})", job.jobId(), job.input().uri(), job.model(),
                        job.owner());
            }
            case Inbox.RejectedJob job -> {
                Instant now = Instant.now();
                publisher.statusChanged(JobStatusChanged
                        .of(job.jobId(), job.model(), job.owner(), JobStatus.PENDING, 1, now).withInput(job.input()));
                publisher.statusChanged(JobStatusChanged
                        .of(job.jobId(), job.model(), job.owner(), JobStatus.FAILED, 1, now).withInput(job.input())
                        .withFailure(job.reason(), job.message()));
                meters.counter("infermesh.ingest.jobs.rejected", "intake", INTAKE, "reason", job.reason().name())
                        .increment();
                log.info("job {} for {} rejected: {}", job.jobId(), job.input().uri(), job.message());
            }
            case Inbox.Ignored ignored -> meters
                    .counter("infermesh.ingest.records.ignored", "intake", INTAKE, "reason", ignored.reason())
                    .increment();
        }
    }

    private static String ignoredReason(String eventName) {
        if (eventName.contains("TestEvent")) {
            return "test-event";
        }
        if (eventName.contains("ObjectRemoved")) {
            return "removal";
        }
        if (eventName.contains("ObjectAccessed")) {
            return "access";
        }
        return "no-records".equals(eventName) ? "no-records" : "other-event";
    }

}
