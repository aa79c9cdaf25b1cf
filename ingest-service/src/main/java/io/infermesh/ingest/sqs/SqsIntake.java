package io.infermesh.ingest.sqs;

import io.infermesh.events.DeadLetter;
import io.infermesh.ingest.IngestProperties;
import io.infermesh.ingest.intake.NotificationHandler;
import io.infermesh.ingest.intake.UnreadableNotifications;
import io.infermesh.ingest.jobs.Inbox;
import io.infermesh.ingest.notification.MalformedNotificationException;
import io.infermesh.ingest.notification.QueueMessageReader;
import io.infermesh.ingest.outcomes.LifecycleFollower;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import tools.jackson.databind.json.JsonMapper;

/**
 * The SQS intake: one long-polling virtual thread per configured queue, started and stopped with the application.
 * Each message, a bucket notification or a cloud backend's report (Lambda destination record, Batch job state change),
 * goes through the shared {@link NotificationHandler} (after {@link QueueMessageReader} told its shape and unwrapped
 * it) and is deleted only after Kafka acknowledged everything it produced. A message that cannot be read is published to
 * {@code infermesh.storage.events.dlq} by the {@link UnreadableNotifications} ({@code x-original-source} = queue URL)
 * and then deleted. When publishing fails the message is left on the queue and comes back after its visibility
 * timeout: at-least-once, made safe by deterministic job ids.
 */
@Component
@ConditionalOnBooleanProperty(name = "infermesh.ingest.sqs.enabled")
public class SqsIntake implements SmartLifecycle, DisposableBean {

    public static final String INTAKE = "sqs";
    private static final Logger log = LoggerFactory.getLogger(SqsIntake.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final IngestProperties.Sqs config;
    private final SqsClient sqs;
    private final NotificationHandler handler;
    private final QueueMessageReader reader;
    private final MeterRegistry meters;
    private final UnreadableNotifications deadLetters;
    /** null unless {@code infermesh.ingest.sqs.head-objects}: the S3 client and the lookup of uploads' metadata. */
    private final S3Client s3;

    private final ObjectMetadata metadata;
    private final List<Poller> pollers = new CopyOnWriteArrayList<>();
    private volatile boolean running;

    public SqsIntake(
            IngestProperties properties,
            NotificationHandler handler,
            JsonMapper json,
            MeterRegistry meters,
            UnreadableNotifications deadLetters) {
        this.config = properties.sqs();
        this.sqs = client(config);
        this.handler = handler;
        this.reader = new QueueMessageReader(json);
        this.meters = meters;
        this.deadLetters = deadLetters;
        this.s3 = config.headObjects() ? s3Client(config) : null;
        this.metadata = s3 == null
                ? null
                : new ObjectMetadata(s3, new Inbox(properties.inboxes(), properties.maxKeyBytes()), meters);
        if (s3 == null) {
            log.info("uploads announced on SQS carry no user metadata and infermesh.ingest.sqs.head-objects is off:"
                    + " their model cards decide where they run");
        }
        handler.register(INTAKE);
        handler.registerBackendReports(INTAKE);
        deadLetters.register(INTAKE);
    }

    /** An SQS client as configured: an explicit endpoint and keys locally, the AWS default chain otherwise. */
    static SqsClient client(IngestProperties.Sqs config) {
        var builder = SqsClient.builder().region(Region.of(config.region()));
        if (config.endpoint() != null && !config.endpoint().toString().isEmpty()) {
            builder.endpointOverride(config.endpoint());
        }
        if (config.accessKey() != null && !config.accessKey().isEmpty()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(config.accessKey(), config.secretKey())));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return builder.build();
    }

    /** An S3 client for HeadObjects, with the SQS intake's region and keys. */
    static S3Client s3Client(IngestProperties.Sqs config) {
        var builder = S3Client.builder().region(Region.of(config.region()));
        if (config.s3Endpoint() != null && !config.s3Endpoint().toString().isEmpty()) {
            // emulators (moto, LocalStack, MinIO) serve buckets as paths, not as host names
            builder.endpointOverride(config.s3Endpoint()).forcePathStyle(true);
        }
        if (config.accessKey() != null && !config.accessKey().isEmpty()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(config.accessKey(), config.secretKey())));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return builder.build();
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        pollers.clear();
        for (String queueUrl : config.queueUrls()) {
            Poller poller = new Poller(queueUrl);
            poller.thread =
                    Thread.ofVirtual().name("sqs-intake-" + pollers.size()).start(poller);
            pollers.add(poller);
            log.info("polling {} (long poll {} s)", queueUrl, config.waitTimeSeconds());
        }
    }

    /**
     * Stops promptly: a poller waiting in a long poll is interrupted at once (its messages, if any, stay on the
     * queue); a poller handling a message finishes that message first, within {@link #STOP_GRACE}.
     */
    @Override
    public synchronized void stop() {
        running = false;
        pollers.stream().filter(p -> p.receiving).forEach(p -> p.thread.interrupt());
        for (Poller poller : pollers) {
            try {
                if (!poller.thread.join(STOP_GRACE)) {
                    poller.thread.interrupt();
                    poller.thread.join(Duration.ofSeconds(2));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        pollers.clear();
    }

    /** Whether a poller is waiting in a receive (for tests of a prompt stop). */
    boolean receiving() {
        return pollers.stream().anyMatch(p -> p.receiving);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public void destroy() {
        sqs.close();
        if (s3 != null) {
            s3.close();
        }
    }

    /**
     * Handles one message; deletes it only after what it produced (jobs, a backend's lifecycle event and result, or a
     * dead letter) is on Kafka.
     */
    void process(String queueUrl, Message message) {
        try {
            try {
                handler.handle(
                        () -> metadata == null
                                ? reader.read(message.body())
                                : metadata.complete(reader.read(message.body())),
                        INTAKE);
            } catch (MalformedNotificationException e) {
                deadLetter(queueUrl, message, e);
            }
        } catch (RuntimeException e) {
            String stage = switch (e) {
                case ObjectMetadata.MetadataUnavailableException unavailable -> "head-object";
                case LifecycleFollower.OutcomeUnknownException unknown -> "outcome";
                default -> "publish";
            };
            meters.counter("infermesh.ingest.sqs.errors", "intake", INTAKE, "stage", stage)
                    .increment();
            log.warn(
                    "message {} from {} left on the queue (it comes back after the visibility timeout): {}",
                    message.messageId(),
                    queueUrl,
                    e.toString());
            return;
        }
        try {
            sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
        } catch (RuntimeException e) {
            // it comes back and is handled again: the same jobs, the same event ids
            meters.counter("infermesh.ingest.sqs.errors", "intake", INTAKE, "stage", "delete")
                    .increment();
            log.warn("could not delete message {} from {}: {}", message.messageId(), queueUrl, e.toString());
        }
    }

    private void deadLetter(String queueUrl, Message message, MalformedNotificationException e) {
        deadLetters.deadLetter(
                INTAKE,
                DeadLetter.ofMessage(
                        queueUrl,
                        message.messageId(),
                        message.messageId().getBytes(StandardCharsets.UTF_8),
                        message.body().getBytes(StandardCharsets.UTF_8)),
                e,
                "message " + message.messageId() + " from " + queueUrl);
    }

    private final class Poller implements Runnable {
        private final String queueUrl;
        private volatile boolean receiving;
        private Thread thread;

        Poller(String queueUrl) {
            this.queueUrl = queueUrl;
        }

        @Override
        public void run() {
            long backoffMillis = 500;
            while (running) {
                List<Message> messages;
                try {
                    receiving = true;
                    messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl)
                                    .waitTimeSeconds(config.waitTimeSeconds())
                                    .maxNumberOfMessages(config.maxMessages()))
                            .messages();
                    backoffMillis = 500;
                } catch (RuntimeException e) {
                    if (!running) {
                        break;
                    }
                    meters.counter("infermesh.ingest.sqs.errors", "intake", INTAKE, "stage", "receive")
                            .increment();
                    log.warn(
                            "could not receive from {} (retrying in {} ms): {}", queueUrl, backoffMillis, e.toString());
                    if (!pause(backoffMillis)) {
                        break;
                    }
                    backoffMillis = Math.min(backoffMillis * 2, 30_000);
                    continue;
                } finally {
                    receiving = false;
                }
                Thread.interrupted(); // an interrupt that arrived as the receive returned is only a stop signal
                for (Message message : messages) {
                    process(queueUrl, message);
                }
            }
            log.info("stopped polling {}", queueUrl);
        }

        private boolean pause(long millis) {
            try {
                Thread.sleep(millis);
                return running;
            } catch (InterruptedException e) {
                return false;
            }
        }
    }
}
