package io.infermesh.ingest.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.Topics;
import io.infermesh.events.DeadLetterWriter;
import io.infermesh.events.JobEventSender;
import io.infermesh.ingest.IngestProperties;
import io.infermesh.ingest.intake.NotificationHandler;
import io.infermesh.ingest.intake.UnreadableNotifications;
import io.infermesh.ingest.notification.CloudBackendExamples;
import io.infermesh.ingest.outcomes.LifecycleFollower;
import io.infermesh.localinfra.MotoServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.cloud.stream.function.StreamOperations;
import org.springframework.messaging.Message;
import org.springframework.util.MimeType;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import tools.jackson.databind.json.JsonMapper;

/**
 * The delivery guarantee of the SQS intake against moto's real SQS, with a Kafka stand-in that can refuse: a message
 * is deleted only after everything it produced was acknowledged, and stays on the queue (coming back after its
 * visibility timeout) when publishing fails. Killing the service between receive and delete is the same case as a
 * failed publish: the message was never deleted, so it comes back.
 */
@ExtendWith(MotoServer.class)
class SqsIntakeDeliveryTests {

    static final JsonMapper JSON = JsonMapper.builder().build();

    SqsClient sqs;
    String queueUrl;
    FakeKafka kafka;
    MeterRegistry meters;
    SqsIntake intake;

    @BeforeEach
    void queue() {
        sqs = MotoServer.client(SqsClient.builder());
        queueUrl = sqs.createQueue(b -> b.queueName("delivery-" + UUID.randomUUID())
                        .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "1")))
                .queueUrl();
        kafka = new FakeKafka();
        meters = new SimpleMeterRegistry();
        intake = intake(new IngestProperties.Sqs(
                true,
                List.of(queueUrl),
                MotoServer.endpoint(),
                "us-east-1",
                MotoServer.ACCESS_KEY,
                MotoServer.SECRET_KEY,
                20,
                10,
                false,
                null));
    }

    private SqsIntake intake(IngestProperties.Sqs config) {
        IngestProperties properties = new IngestProperties(
                List.of("*/inbox/"), 1024, new IngestProperties.Webhook(false, null), config, null);
        LifecycleFollower lifecycle = new LifecycleFollower(
                JSON, 100, Duration.ofSeconds(5), meters.counter("infermesh.ingest.lifecycle.unreadable"));
        kafka.lifecycleReader = lifecycle;
        NotificationHandler handler = new NotificationHandler(
                JSON, properties, new JobEventSender(kafka, JSON, "ingest-service"), lifecycle, meters);
        return new SqsIntake(
                properties, handler, JSON, meters, new UnreadableNotifications(new DeadLetterWriter(kafka), meters));
    }

    @AfterEach
    void close() {
        intake.stop();
        intake.destroy();
        sqs.close();
    }

    @Test
    void aMessageIsDeletedOnlyAfterKafkaAcknowledgedEverythingItProduced() {
        kafka.beforeAck = () -> kafka.inFlightAtSend.add(inFlight());
        sqs.sendMessage(b -> b.queueUrl(queueUrl)
                .messageBody(SqsIntakeIntegrationTests.s3Event("b", "inbox/digits/alice/x.png", "e1")));
        var message = sqs.receiveMessage(
                        b -> b.queueUrl(queueUrl).waitTimeSeconds(2).visibilityTimeout(30))
                .messages()
                .getFirst();

        intake.process(queueUrl, message);

        assertThat(kafka.topics).containsExactly(Topics.JOBS_REQUESTED.name(), Topics.JOBS_LIFECYCLE.name());
        assertThat(kafka.inFlightAtSend).as("still on the queue at every send").containsOnly("1");
        assertThat(inFlight()).isEqualTo("0");
        assertThat(visible()).isEqualTo("0");
    }

    @Test
    void aLambdaResultIsDeletedOnlyAfterItsLifecycleEventAndResultWereAcknowledged() {
        kafka.beforeAck = () -> kafka.inFlightAtSend.add(inFlight());
        var job = CloudBackendExamples.job(UUID.randomUUID().toString(), 1, Backend.LAMBDA);
        sqs.sendMessage(b -> b.queueUrl(queueUrl)
                .messageBody(CloudBackendExamples.lambdaSuccess(job, CloudBackendExamples.returned(job))));
        var message = sqs.receiveMessage(
                        b -> b.queueUrl(queueUrl).waitTimeSeconds(2).visibilityTimeout(30))
                .messages()
                .getFirst();

        intake.process(queueUrl, message);

        assertThat(kafka.topics).containsExactly(Topics.JOBS_LIFECYCLE.name(), Topics.JOBS_RESULTS.name());
        assertThat(kafka.inFlightAtSend).as("still on the queue at every send").containsOnly("1");
        assertThat(inFlight()).isEqualTo("0");
        assertThat(visible()).isEqualTo("0");
    }

    @Test
    void aBatchReportWhoseEventKafkaRefusedStaysOnTheQueueAndComesBack() {
        kafka.accept = false;
        var job = CloudBackendExamples.job(UUID.randomUUID().toString(), 2, Backend.BATCH);
        String id = sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(CloudBackendExamples.batch(job, "SUCCEEDED")))
                .messageId();

        intake.process(queueUrl, receive());

        assertThat(meters.counter("infermesh.ingest.sqs.errors", "intake", "sqs", "stage", "publish")
                        .count())
                .isEqualTo(1);
        assertThat(meters.counter(
                                "infermesh.ingest.completions",
                                "intake",
                                "sqs",
                                "backend",
                                "batch",
                                "status",
                                "SUCCEEDED")
                        .count())
                .isZero();
        await("the message comes back after its visibility timeout")
                .atMost(Duration.ofSeconds(15))
                .until(this::receivedAgain, id::equals);
    }

    @Test
    void aMessageWhoseJobsKafkaRefusedStaysOnTheQueueAndComesBack() {
        kafka.accept = false;
        String id = sqs.sendMessage(b -> b.queueUrl(queueUrl)
                        .messageBody(SqsIntakeIntegrationTests.s3Event("b", "inbox/digits/alice/y.png", "e2")))
                .messageId();

        intake.process(queueUrl, receive());

        assertThat(meters.counter("infermesh.ingest.sqs.errors", "intake", "sqs", "stage", "publish")
                        .count())
                .isEqualTo(1);
        await("the message comes back after its visibility timeout")
                .atMost(Duration.ofSeconds(15))
                .until(this::receivedAgain, id::equals);
    }

    @Test
    void aMessageWhoseUploadsMetadataCannotBeReadStaysOnTheQueueAndComesBack() throws Exception {
        URI nothingListens;
        try (ServerSocket socket = new ServerSocket(0)) {
            nothingListens = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        intake.destroy();
        intake = intake(new IngestProperties.Sqs(
                true,
                List.of(queueUrl),
                MotoServer.endpoint(),
                "us-east-1",
                MotoServer.ACCESS_KEY,
                MotoServer.SECRET_KEY,
                20,
                10,
                true,
                nothingListens));
        String id = sqs.sendMessage(b -> b.queueUrl(queueUrl)
                        .messageBody(SqsIntakeIntegrationTests.s3Event("b", "inbox/digits/alice/z.png", "e3")))
                .messageId();

        intake.process(queueUrl, receive());

        assertThat(kafka.topics)
                .as("no job without its owner's placement choice")
                .isEmpty();
        assertThat(meters.counter("infermesh.ingest.sqs.errors", "intake", "sqs", "stage", "head-object")
                        .count())
                .isEqualTo(1);
        assertThat(meters.counter("infermesh.ingest.sqs.head-objects", "outcome", "error")
                        .count())
                .isEqualTo(1);
        await("the message comes back after its visibility timeout")
                .atMost(Duration.ofSeconds(15))
                .until(this::receivedAgain, id::equals);
    }

    @Test
    void aMalformedMessageWhoseDeadLetterKafkaRefusedStaysOnTheQueue() {
        kafka.accept = false;
        String id = sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{not json"))
                .messageId();

        intake.process(queueUrl, receive());

        assertThat(kafka.topics).containsExactly(Topics.STORAGE_EVENTS.dlq());
        assertThat(meters.find("infermesh.ingest.dead-lettered")
                        .tag("intake", "sqs")
                        .counters())
                .allSatisfy(counter -> assertThat(counter.count()).isZero());
        await().atMost(Duration.ofSeconds(15)).until(this::receivedAgain, id::equals);
    }

    @Test
    void stoppingDuringALongPollIsPrompt() {
        intake.start();
        await().atMost(Duration.ofSeconds(10)).until(intake::receiving);

        long started = System.nanoTime();
        intake.stop();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(intake.isRunning()).isFalse();
    }

    /** Receives the message, invisible for the queue's 1 s visibility timeout. */
    private software.amazon.awssdk.services.sqs.model.Message receive() {
        var messages =
                sqs.receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(2)).messages();
        assertThat(messages).hasSize(1);
        return messages.getFirst();
    }

    /** The id of the message that is visible again, if any. */
    private String receivedAgain() {
        var messages =
                sqs.receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(1)).messages();
        return messages.isEmpty() ? null : messages.getFirst().messageId();
    }

    private String inFlight() {
        return attribute(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE);
    }

    private String visible() {
        return attribute(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
    }

    private String attribute(QueueAttributeName name) {
        return sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(name))
                .attributes()
                .get(name);
    }

    /**
     * Records what would be published and answers as a synchronous producer would: acknowledged or not; and, as the
     * broker would, hands an acknowledged lifecycle event to ingest's own lifecycle reader.
     */
    static final class FakeKafka implements StreamOperations {
        final List<String> topics = new CopyOnWriteArrayList<>();
        final List<String> inFlightAtSend = new CopyOnWriteArrayList<>();
        volatile boolean accept = true;
        volatile Runnable beforeAck = () -> {};
        volatile LifecycleFollower lifecycleReader;

        @Override
        public boolean send(String bindingName, Object data) {
            assertThat(data).isInstanceOf(Message.class);
            topics.add(bindingName);
            beforeAck.run();
            if (accept && bindingName.equals(Topics.JOBS_LIFECYCLE.name()) && lifecycleReader != null) {
                lifecycleReader.read((byte[]) ((Message<?>) data).getPayload());
            }
            return accept;
        }

        @Override
        public boolean send(String bindingName, Object data, MimeType outputContentType) {
            return send(bindingName, data);
        }

        @Override
        public boolean send(String bindingName, String binderName, Object data) {
            return send(bindingName, data);
        }

        @Override
        public boolean send(String bindingName, String binderName, Object data, MimeType outputContentType) {
            return send(bindingName, data);
        }
    }
}
