package io.infermesh.ingest.sqs;

import static io.infermesh.ingest.notification.CloudBackendExamples.batch;
import static io.infermesh.ingest.notification.CloudBackendExamples.job;
import static io.infermesh.ingest.notification.CloudBackendExamples.lambdaFailure;
import static io.infermesh.ingest.notification.CloudBackendExamples.lambdaSuccess;
import static io.infermesh.ingest.notification.CloudBackendExamples.returned;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.Topics;
import io.infermesh.ingest.IngestIntegrationTest;
import io.infermesh.ingest.IngestServiceApplication;
import io.infermesh.ingest.jobs.Inbox;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.MotoServer;
import io.infermesh.localinfra.TopicProbe;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import tools.jackson.databind.JsonNode;

/**
 * Cloud backend completions through a moto server's SQS (and SNS) into a real Kafka: Lambda destination records and
 * Batch job state changes, as AWS delivers them to the queues the ingest already polls, become the lifecycle events
 * and results that the router and status-service read; reports about other systems' jobs produce nothing; a broken
 * report is dead-lettered without holding up the next one.
 */
@ExtendWith(MotoServer.class)
@SpringBootTest(
        classes = IngestServiceApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
            "spring.config.name=ingest-service",
            "infermesh.ingest.sqs.enabled=true",
            "infermesh.ingest.sqs.access-key=testing",
            "infermesh.ingest.sqs.secret-key=testing",
            "infermesh.ingest.webhook.enabled=false"
        })
// closed at the end of the class, while moto still runs: its pollers stop cleanly instead of failing to reconnect
@DirtiesContext
class CloudBackendCompletionsIntegrationTests extends IngestIntegrationTest {

    static SqsClient sqs;
    static String queueUrl;

    @DynamicPropertySource
    static void sqs(DynamicPropertyRegistry registry) {
        registry.add(
                "infermesh.ingest.sqs.endpoint", () -> MotoServer.endpoint().toString());
        registry.add("infermesh.ingest.sqs.queue-urls[0]", CloudBackendCompletionsIntegrationTests::queueUrl);
    }

    static synchronized SqsClient sqs() {
        if (sqs == null) {
            sqs = MotoServer.client(SqsClient.builder());
        }
        return sqs;
    }

    static synchronized String queueUrl() {
        if (queueUrl == null) {
            queueUrl = sqs().createQueue(b -> b.queueName("backends-" + UUID.randomUUID()))
                    .queueUrl();
        }
        return queueUrl;
    }

    @AfterAll
    static void closeClient() {
        if (sqs != null) {
            sqs.close();
        }
    }

    @Test
    void aLambdaSuccessRecordBecomesSucceededWithPredictionsAndAResultAndIsDeleted() {
        String jobId = UUID.randomUUID().toString();
        JobDispatched job = job(jobId, 1, Backend.LAMBDA);

        send(lambdaSuccess(job, returned(job)));

        ConsumerRecord<String, String> lifecycle =
                awaitRecords(Topics.JOBS_LIFECYCLE.name(), jobId, 1).getFirst();
        assertThat(TopicProbe.header(lifecycle, "ce_id")).isEqualTo(jobId + "/1/SUCCEEDED");
        assertThat(TopicProbe.header(lifecycle, "ce_type")).isEqualTo(CloudEventTypes.JOB_STATUS_CHANGED);
        assertThat(TopicProbe.header(lifecycle, "ce_source")).isEqualTo("/infermesh/ingest-service");
        assertThat(TopicProbe.header(lifecycle, "ce_subject")).isEqualTo(jobId);
        JsonNode succeeded = JSON.readTree(lifecycle.value());
        assertThat(succeeded.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(succeeded.get("backend").asString()).isEqualTo("lambda");
        assertThat(succeeded.get("predictions").get(0).get("label").asString()).isEqualTo("7");
        assertThat(succeeded.get("output").get("key").asString())
                .isEqualTo(job.output().key());

        ConsumerRecord<String, String> result =
                awaitRecords(Topics.JOBS_RESULTS.name(), jobId, 1).getFirst();
        assertThat(TopicProbe.header(result, "ce_id")).isEqualTo(jobId + "/1/result");
        assertThat(TopicProbe.header(result, "ce_type")).isEqualTo(CloudEventTypes.JOB_RESULT);
        JsonNode body = JSON.readTree(result.value());
        assertThat(body.get("backend").asString()).isEqualTo("lambda");
        assertThat(body.get("predictions").get(0).get("probability").asDouble()).isEqualTo(0.981);
        assertThat(body.get("input").get("key").asString())
                .isEqualTo(job.input().key());
        awaitEmpty();
    }

    @Test
    void aLambdaTimeoutRecordBecomesFailedTimeoutWithTheInputForTheNextAttempt() {
        String jobId = UUID.randomUUID().toString();
        JobDispatched job = job(jobId, 1, Backend.LAMBDA);
        double failures = completions("lambda", "FAILED");

        send(lambdaFailure(
                job,
                "RetriesExhausted",
                "Sandbox.Timedout",
                "2026-11-22T18:16:05.568Z e4b46cbf Task timed out after 3.00 seconds",
                3));

        ConsumerRecord<String, String> lifecycle =
                awaitRecords(Topics.JOBS_LIFECYCLE.name(), jobId, 1).getFirst();
        assertThat(TopicProbe.header(lifecycle, "ce_id")).isEqualTo(jobId + "/1/FAILED");
        JsonNode failed = JSON.readTree(lifecycle.value());
        assertThat(failed.get("reason").asString()).isEqualTo("TIMEOUT");
        assertThat(failed.get("backend").asString()).isEqualTo("lambda");
        assertThat(failed.get("input").get("key").asString())
                .isEqualTo(job.input().key());
        assertThat(failed.get("input").get("bucket").asString())
                .isEqualTo(job.input().bucket());
        assertThat(failed.get("message").asString())
                .startsWith("AWS Lambda stopped function infermesh-digits")
                .contains("when it reached its timeout (3 invocation attempts)")
                .doesNotContain("Task timed out");
        awaitEmpty();
        assertThat(completions("lambda", "FAILED")).isEqualTo(failures + 1);
    }

    @Test
    void batchStateChangesBecomeTheSameLifecycleStatusesForTheirAttempt() {
        String jobId = UUID.randomUUID().toString();
        JobDispatched job = job(jobId, 2, Backend.BATCH);

        double queued = ignored("batch-job-queued");
        for (String status : List.of("SUBMITTED", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED")) {
            send(batch(job, status));
        }

        // a standard queue does not keep order; consumers order by (attempt, status rank). Queued states add
        // nothing to the router's RUNNABLE (which carries the placement decision): counted, not republished.
        List<ConsumerRecord<String, String>> lifecycle = awaitRecords(Topics.JOBS_LIFECYCLE.name(), jobId, 3);
        assertThat(lifecycle)
                .extracting(r -> TopicProbe.header(r, "ce_id"))
                .containsExactlyInAnyOrder(jobId + "/2/STARTING", jobId + "/2/RUNNING", jobId + "/2/SUCCEEDED");
        await().atMost(Duration.ofSeconds(30)).until(() -> ignored("batch-job-queued") == queued + 2);
        assertThat(lifecycle).extracting(r -> JSON.readTree(r.value())).allSatisfy(event -> {
            assertThat(event.get("attempt").asInt()).isEqualTo(2);
            assertThat(event.get("backend").asString()).isEqualTo("batch");
            assertThat(event.get("model").asString()).isEqualTo("digits");
            assertThat(event.get("owner").asString()).isEqualTo("alice");
        });
        JsonNode succeeded = lifecycle.stream()
                .map(r -> JSON.readTree(r.value()))
                .filter(e -> "SUCCEEDED".equals(e.get("status").asString()))
                .findFirst()
                .orElseThrow();
        assertThat(succeeded.get("output").get("key").asString())
                .isEqualTo(job.output().key());
        assertThat(succeeded.get("timings").get("totalMs").asLong()).isPositive();
        JsonNode result = JSON.readTree(
                awaitRecords(Topics.JOBS_RESULTS.name(), jobId, 1).getFirst().value());
        assertThat(result.get("attempt").asInt()).isEqualTo(2);
        assertThat(result.get("backend").asString()).isEqualTo("batch");
        awaitEmpty();
    }

    @Test
    void aBatchEventOfSomeoneElsesJobProducesNothingAndIsDeleted() {
        double foreign = ignored("foreign-batch-job");
        double produced = allCompletions();
        double deadLettered = count("infermesh.ingest.dead-lettered");

        send(batch("SUCCEEDED", "nightly-report", Map.of("date", "2026-11-22"), null, ""));

        await().atMost(Duration.ofSeconds(30)).until(() -> ignored("foreign-batch-job") > foreign);
        awaitEmpty();
        assertThat(allCompletions()).isEqualTo(produced);
        assertThat(count("infermesh.ingest.dead-lettered")).isEqualTo(deadLettered);
    }

    @Test
    void aMalformedReportIsDeadLetteredAndTheNextGoodOneStillBecomesAnEvent() {
        String jobId = UUID.randomUUID().toString();
        double deadLettered = count("infermesh.ingest.dead-lettered");
        String broken = lambdaSuccess(Map.of("jobId", jobId, "model", "digits"), null);
        String badId = sqs().sendMessage(b -> b.queueUrl(queueUrl()).messageBody(broken))
                .messageId();
        send(batch(job(jobId, 2, Backend.BATCH), "RUNNING"));

        ConsumerRecord<String, String> dead =
                awaitRecords(Topics.STORAGE_EVENTS.dlq(), badId, 1).getFirst();
        assertThat(dead.value()).isEqualTo(broken);
        assertThat(TopicProbe.header(dead, "x-exception-message"))
                .isEqualTo("requestPayload looks like an infermesh JobDispatched but has no owner, attempt");
        assertThat(TopicProbe.header(dead, "x-original-source")).isEqualTo(queueUrl());
        assertThat(TopicProbe.header(
                        awaitRecords(Topics.JOBS_LIFECYCLE.name(), jobId, 1).getFirst(), "ce_id"))
                .isEqualTo(jobId + "/2/RUNNING");
        awaitEmpty();
        assertThat(count("infermesh.ingest.dead-lettered")).isEqualTo(deadLettered + 1);
    }

    @Test
    void oneQueueCarriesUploadsAndReportsAndSnsEnvelopedRecords() {
        String queueArn = sqs().getQueueAttributes(
                        b -> b.queueUrl(queueUrl()).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes()
                .get(QueueAttributeName.QUEUE_ARN);
        String topic = MotoSns.createTopic("lambda-destinations-" + UUID.randomUUID());
        MotoSns.subscribeQueue(topic, queueArn, false);
        String lambdaJob = UUID.randomUUID().toString();
        String key = "inbox/digits/alice/" + UUID.randomUUID() + ".png";

        MotoSns.publish(
                topic,
                lambdaFailure(
                        job(lambdaJob, 1, Backend.LAMBDA),
                        "RetriesExhausted",
                        "INVALID_INPUT",
                        "not a PNG or JPEG image",
                        1));
        send(SqsIntakeIntegrationTests.s3Event("uploads", key, "etag-mix"));

        JsonNode failed = JSON.readTree(awaitRecords(Topics.JOBS_LIFECYCLE.name(), lambdaJob, 1)
                .getFirst()
                .value());
        assertThat(failed.get("reason").asString()).isEqualTo("INVALID_INPUT");
        String uploadJob = Inbox.jobId("uploads", key, "etag-mix");
        assertThat(JSON.readTree(awaitRecords(Topics.JOBS_REQUESTED.name(), uploadJob, 1)
                                .getFirst()
                                .value())
                        .get("intake")
                        .asString())
                .isEqualTo("sqs");
        awaitEmpty();
    }

    private static void send(String body) {
        sqs().sendMessage(b -> b.queueUrl(queueUrl()).messageBody(body));
    }

    /** Every message handled and deleted: none waiting, none in flight. */
    private static void awaitEmpty() {
        await("queue empty").atMost(Duration.ofSeconds(30)).until(() -> {
            var attributes = sqs().getQueueAttributes(b -> b.queueUrl(queueUrl())
                            .attributeNames(
                                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                    .attributes();
            return "0".equals(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                    && "0".equals(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
        });
    }

    private double completions(String backend, String status) {
        var counter = meters.find("infermesh.ingest.completions")
                .tag("intake", SqsIntake.INTAKE)
                .tag("backend", backend)
                .tag("status", status)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private double allCompletions() {
        return meters.find("infermesh.ingest.completions").counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }

    private double ignored(String reason) {
        var counter = meters.find("infermesh.ingest.records.ignored")
                .tag("intake", SqsIntake.INTAKE)
                .tag("reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private double count(String name) {
        // summed over the counter's other tags (infermesh.ingest.dead-lettered has one per reason)
        return meters.find(name).tag("intake", SqsIntake.INTAKE).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    private static List<ConsumerRecord<String, String>> awaitRecords(String topic, String key, int count) {
        return TopicProbe.awaitRecords(
                LocalInfraExtension.infra().kafka().bootstrapServers(),
                topic,
                key,
                found -> found.size() >= count,
                Duration.ofSeconds(30));
    }
}
