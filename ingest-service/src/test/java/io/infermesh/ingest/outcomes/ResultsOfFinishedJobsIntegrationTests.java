package io.infermesh.ingest.outcomes;

import static io.infermesh.ingest.notification.CloudBackendExamples.batch;
import static io.infermesh.ingest.notification.CloudBackendExamples.lambdaFailure;
import static io.infermesh.ingest.notification.CloudBackendExamples.lambdaSuccess;
import static io.infermesh.ingest.notification.CloudBackendExamples.returned;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Topics;
import io.infermesh.ingest.IngestIntegrationTest;
import io.infermesh.ingest.IngestServiceApplication;
import io.infermesh.ingest.jobs.Inbox;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.MotoServer;
import io.infermesh.localinfra.TopicProbe;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A finished job keeps its outcome on {@code infermesh.jobs.results} too (ADR 0016, issue 17 item 1): real uploads to
 * the local S3 endpoint make the jobs (through its MinIO-format notifications on a real Kafka), cloud backends' reports
 * come through moto's SQS, and external subscribers of the results topic get one result per job — the result of the
 * success the status API shows — however late another attempt's report comes.
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
class ResultsOfFinishedJobsIntegrationTests extends IngestIntegrationTest {

    static final String BUCKET = "outcome-tests";
    static final Instant REQUESTED = Instant.parse("2026-12-03T10:00:00Z");
    static SqsClient sqs;
    static String queueUrl;
    static S3Client s3;

    @DynamicPropertySource
    static void sqs(DynamicPropertyRegistry registry) {
        registry.add(
                "infermesh.ingest.sqs.endpoint", () -> MotoServer.endpoint().toString());
        registry.add("infermesh.ingest.sqs.queue-urls[0]", ResultsOfFinishedJobsIntegrationTests::queueUrl);
    }

    static synchronized String queueUrl() {
        if (sqs == null) {
            sqs = MotoServer.client(SqsClient.builder());
            queueUrl = sqs.createQueue(b -> b.queueName("outcomes-" + UUID.randomUUID()))
                    .queueUrl();
        }
        return queueUrl;
    }

    @BeforeAll
    static void bucket() {
        LocalInfraExtension.infra().s3().createBucket(BUCKET);
        s3 = LocalInfraExtension.infra().s3().client();
    }

    @AfterAll
    static void close() {
        s3.close();
        if (sqs != null) {
            sqs.close();
        }
    }

    @Test
    void aLateSuccessOfAnotherAttemptAfterTheJobSucceededGoesToItsHistoryButIsNoSecondResult() {
        String jobId = upload();
        JobDispatched lambda = remote(jobId, 1, Backend.LAMBDA);
        // attempt 1 on Lambda writes result.json and succeeds
        s3.putObject(b -> b.bucket(BUCKET).key(lambda.output().key()), RequestBody.fromString("{\"attempt\":1}"));
        send(lambdaSuccess(lambda, returned(lambda)));
        assertThat(TopicProbe.header(
                        awaitRecords(Topics.JOBS_RESULTS.name(), jobId, 1).getFirst(), "ce_id"))
                .isEqualTo(jobId + "/1/result");
        double withheld = withheld("succeeded-in-another-attempt");

        // a second attempt on Batch (started before the success was known) reports its success much later
        send(batch(remote(jobId, 2, Backend.BATCH), "SUCCEEDED"));

        awaitLifecycleEvent(jobId, jobId + "/2/SUCCEEDED");
        awaitEmpty();
        List<ConsumerRecord<String, String>> results = recordsUpToNow(Topics.JOBS_RESULTS.name(), jobId);
        assertThat(results)
                .as("one result: attempt 1's, the success the status API shows")
                .extracting(r -> TopicProbe.header(r, "ce_id"))
                .containsExactly(jobId + "/1/result");
        assertThat(JSON.readTree(results.getFirst().value())
                        .get("output")
                        .get("key")
                        .asString())
                .isEqualTo(lambda.output().key());
        assertThat(s3.headObject(b -> b.bucket(BUCKET).key(lambda.output().key()))
                        .contentLength())
                .isPositive();
        assertThat(withheld("succeeded-in-another-attempt")).isEqualTo(withheld + 1);
    }

    @Test
    void aSuccessOfACancelledJobIsNoResult() {
        String jobId = upload();
        double withheld = withheld("cancelled");
        // the owner cancelled it before it ran (status-service's event); the Lambda invocation ran all the same
        JobStatusChanged cancelled = JobStatusChanged.of(
                        jobId, "digits", "alice", JobStatus.CANCELLED, 1, Instant.now())
                .withMessage("Cancelled by alice");
        TopicProbe.send(
                kafkaBootstrap(),
                Topics.JOBS_LIFECYCLE.name(),
                jobId,
                JSON.writeValueAsBytes(cancelled),
                CloudEventTypes.headers(
                        cancelled.eventId(),
                        CloudEventTypes.JOB_STATUS_CHANGED,
                        "status-service",
                        jobId,
                        cancelled.occurredAt()));
        JobDispatched lambda = remote(jobId, 1, Backend.LAMBDA);

        send(lambdaSuccess(lambda, returned(lambda)));

        awaitLifecycleEvent(jobId, jobId + "/1/SUCCEEDED");
        awaitEmpty();
        assertThat(recordsUpToNow(Topics.JOBS_RESULTS.name(), jobId))
                .as("a cancelled job shows no result")
                .isEmpty();
        assertThat(withheld("cancelled")).isEqualTo(withheld + 1);
    }

    @Test
    void theSuccessOfTheAttemptAfterAFailureIsTheJobsResult() {
        String jobId = upload();
        send(lambdaFailure(
                remote(jobId, 1, Backend.LAMBDA),
                "RetriesExhausted",
                "Sandbox.Timedout",
                "Task timed out after 3.00 seconds",
                3));
        awaitLifecycleEvent(jobId, jobId + "/1/FAILED");

        send(batch(remote(jobId, 2, Backend.BATCH), "SUCCEEDED"));

        ConsumerRecord<String, String> result =
                awaitRecords(Topics.JOBS_RESULTS.name(), jobId, 1).getFirst();
        assertThat(TopicProbe.header(result, "ce_id")).isEqualTo(jobId + "/2/result");
        awaitEmpty();
        assertThat(recordsUpToNow(Topics.JOBS_RESULTS.name(), jobId)).hasSize(1);
    }

    /** Uploads an image to the inbox and returns its job, once ingest announced it. */
    private static String upload() {
        String key = "inbox/digits/alice/" + UUID.randomUUID() + ".png";
        String eTag = s3.putObject(
                        b -> b.bucket(BUCKET).key(key).contentType("image/png"),
                        RequestBody.fromBytes(new byte[] {7, 7, 7}))
                .eTag()
                .replace("\"", "");
        String jobId = Inbox.jobId(BUCKET, key, eTag);
        awaitLifecycleEvent(jobId, jobId + "/1/PENDING");
        return jobId;
    }

    /** The job as the router hands it to a cloud backend, with the job's input and result location. */
    private static JobDispatched remote(String jobId, int attempt, Backend backend) {
        String input = recordsUpToNow(Topics.JOBS_REQUESTED.name(), jobId).stream()
                .map(r -> JSON.readTree(r.value()).get("input").get("key").asString())
                .findFirst()
                .orElseThrow();
        return new JobDispatched(
                jobId,
                "digits",
                "alice",
                ObjectRef.of(BUCKET, input),
                attempt,
                null,
                REQUESTED,
                REQUESTED.plusSeconds(1),
                0.0000021,
                backend,
                ObjectRef.of(BUCKET, JobDispatched.resultKey("results/", "digits", "alice", jobId)),
                null);
    }

    private static void send(String body) {
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
    }

    private static void awaitLifecycleEvent(String jobId, String eventId) {
        TopicProbe.awaitRecords(
                kafkaBootstrap(),
                Topics.JOBS_LIFECYCLE.name(),
                jobId,
                found -> found.stream().anyMatch(r -> eventId.equals(TopicProbe.header(r, "ce_id"))),
                Duration.ofSeconds(30));
    }

    private static List<ConsumerRecord<String, String>> awaitRecords(String topic, String key, int count) {
        return TopicProbe.awaitRecords(
                kafkaBootstrap(), topic, key, found -> found.size() >= count, Duration.ofSeconds(30));
    }

    /** Every message handled and deleted: none waiting, none in flight. */
    private static void awaitEmpty() {
        await("queue empty").atMost(Duration.ofSeconds(30)).until(() -> {
            var attributes = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
                            .attributeNames(
                                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                    .attributes();
            return "0".equals(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                    && "0".equals(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
        });
    }

    private double withheld(String reason) {
        var counter = meters.find("infermesh.ingest.results.withheld")
                .tag("intake", "sqs")
                .tag("reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }
}
