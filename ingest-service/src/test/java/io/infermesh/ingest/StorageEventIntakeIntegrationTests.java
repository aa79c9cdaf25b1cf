package io.infermesh.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.Topics;
import io.infermesh.events.DeadLetters;
import io.infermesh.ingest.jobs.Inbox;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.TopicProbe;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;

/** Real uploads to the local S3 endpoint, real MinIO-format notifications on Kafka, what ingest publishes. */
@SpringBootTest(
        classes = IngestServiceApplication.class,
        properties = {"spring.config.name=ingest-service", "infermesh.ingest.webhook.token=storage-events-test-token"},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class StorageEventIntakeIntegrationTests extends IngestIntegrationTest {

    static final String BUCKET = "ingest-tests";
    static S3Client s3;

    @BeforeAll
    static void bucket() {
        LocalInfraExtension.infra().s3().createBucket(BUCKET);
        s3 = LocalInfraExtension.infra().s3().client();
    }

    @AfterAll
    static void closeClient() {
        s3.close();
    }

    @Test
    void anUploadToTheInboxBecomesAJobRequestAndAPendingStatus() {
        String key = "inbox/digits/alice/" + UUID.randomUUID() + "/my scan+1.png";
        String eTag = s3.putObject(
                        b -> b.bucket(BUCKET).key(key).contentType("image/png"),
                        RequestBody.fromBytes(new byte[] {1, 2, 3}))
                .eTag()
                .replace("\"", "");
        String jobId = Inbox.jobId(BUCKET, key, eTag);

        JsonNode requested = JSON.readTree(
                awaitRecords(Topics.JOBS_REQUESTED.name(), jobId, 1).getFirst().value());
        assertThat(requested.get("model").asString()).isEqualTo("digits");
        assertThat(requested.get("owner").asString()).isEqualTo("alice");
        assertThat(requested.get("input").get("key").asString())
                .as("decoded once")
                .isEqualTo(key);
        assertThat(requested.get("input").get("size").asLong()).isEqualTo(3);

        ConsumerRecord<String, String> pending =
                awaitRecords(Topics.JOBS_LIFECYCLE.name(), jobId, 1).getFirst();
        assertThat(JSON.readTree(pending.value()).get("status").asString()).isEqualTo("PENDING");
        assertThat(header(pending, "ce_type")).isEqualTo("io.infermesh.job.status-changed.v1");
        assertThat(header(pending, "ce_id")).isEqualTo(jobId + "/1/PENDING");
        assertThat(header(pending, "ce_source")).isEqualTo("/infermesh/ingest-service");
    }

    @Test
    void theSameNotificationTwiceAnnouncesTheSameJobWithTheSameEventId() {
        String key = "inbox/digits/bob/" + UUID.randomUUID() + ".png";
        String notification = minioNotification(key, "etag-1");
        sendRaw(Topics.STORAGE_EVENTS.name(), BUCKET + "/" + key, notification);
        sendRaw(Topics.STORAGE_EVENTS.name(), BUCKET + "/" + key, notification);
        String jobId = Inbox.jobId(BUCKET, key, "etag-1");

        List<ConsumerRecord<String, String>> pending = awaitRecords(Topics.JOBS_LIFECYCLE.name(), jobId, 2);
        assertThat(pending).extracting(r -> header(r, "ce_id")).containsOnly(jobId + "/1/PENDING");
    }

    @Test
    void aMalformedNotificationIsDeadLetteredWithItsReasonAndTheNextOneStillMakesAJob() {
        String marker = "not-json-" + UUID.randomUUID();
        sendRaw(Topics.STORAGE_EVENTS.name(), marker, "<xml>" + marker + "</xml>");
        String key = "inbox/digits/carol/" + UUID.randomUUID() + ".png";
        sendRaw(Topics.STORAGE_EVENTS.name(), BUCKET + "/" + key, minioNotification(key, "etag-2"));

        ConsumerRecord<String, String> dead =
                awaitRecords(Topics.STORAGE_EVENTS.dlq(), marker, 1).getFirst();
        assertThat(dead.value()).contains(marker);
        assertThat(header(dead, DeadLetters.EXCEPTION_MESSAGE)).contains("not JSON");
        assertThat(awaitRecords(Topics.JOBS_REQUESTED.name(), Inbox.jobId(BUCKET, key, "etag-2"), 1))
                .hasSize(1);
    }

    @Test
    void aTopLevelJsonArrayIsDeadLetteredSayingItIsAnArrayCountedByReasonAndLoggedAtWarn(CapturedOutput output) {
        String marker = "array-" + UUID.randomUUID();
        double before = deadLettered("json-array");
        sendRaw(
                Topics.STORAGE_EVENTS.name(),
                marker,
                "[{\"EventName\":\"s3:ObjectCreated:Put\",\"Key\":\"" + marker + "\"}]");

        ConsumerRecord<String, String> dead =
                awaitRecords(Topics.STORAGE_EVENTS.dlq(), marker, 1).getFirst();
        assertThat(dead.value()).as("the message as it came").startsWith("[{").contains(marker);
        assertThat(header(dead, DeadLetters.EXCEPTION_MESSAGE))
                .isEqualTo("the message is a JSON array, not an S3/MinIO notification object");
        assertThat(header(dead, DeadLetters.ORIGINAL_TOPIC)).isEqualTo(Topics.STORAGE_EVENTS.name());
        // [1,2] is what the binder's JSON conversion turned into the two bytes 0x01 0x02 before the parser saw it
        sendRaw(Topics.STORAGE_EVENTS.name(), marker + "-numbers", "[1,2]");
        ConsumerRecord<String, String> numbers = awaitRecords(Topics.STORAGE_EVENTS.dlq(), marker + "-numbers", 1)
                .getFirst();
        assertThat(numbers.value()).isEqualTo("[1,2]");
        assertThat(header(numbers, DeadLetters.EXCEPTION_MESSAGE))
                .isEqualTo("the message is a JSON array, not an S3/MinIO notification object");
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLettered("json-array") >= before + 2);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> output.getOut()
                        .lines()
                        .anyMatch(line -> line.contains(" WARN ")
                                && line.contains("dead-lettered")
                                && line.contains(marker)
                                && line.contains("the message is a JSON array")));
    }

    @Test
    void writingAResultNeverTriggersAJobAndIsCounted() {
        double before = ignored("outside-inbox");
        s3.putObject(
                b -> b.bucket(BUCKET).key("results/digits/alice/" + UUID.randomUUID() + "/result.json"),
                RequestBody.fromString("{}"));
        await().atMost(Duration.ofSeconds(30)).until(() -> ignored("outside-inbox") > before);
    }

    @Test
    void anUploadWithItsOwnersPlacementChoiceAsksForThatBackend() {
        // the metadata the gateway signs into its presigned PUT; the local S3 announces it as MinIO does
        String key = "inbox/digits/alice/" + UUID.randomUUID() + ".png";
        String eTag = s3.putObject(
                        b -> b.bucket(BUCKET)
                                .key(key)
                                .contentType("image/png")
                                .metadata(Map.of("infermesh-placement", "batch")),
                        RequestBody.fromBytes(new byte[] {4, 5, 6}))
                .eTag()
                .replace("\"", "");

        JobRequested requested = requested(Inbox.jobId(BUCKET, key, eTag));
        assertThat(requested.requestedBackend()).isEqualTo(Backend.BATCH);
        assertThat(requested.owner()).isEqualTo("alice");
    }

    @Test
    void aMinioNotificationWhoseObjectNamesLambdaBecomesARequestForLambda() {
        String key = "inbox/digits/alice/" + UUID.randomUUID() + ".png";
        sendRaw(
                Topics.STORAGE_EVENTS.name(),
                BUCKET + "/" + key,
                minioNotification(
                        key,
                        "etag-lambda",
                        Map.of("content-type", "image/png", "X-Amz-Meta-Infermesh-Placement", "lambda")));
        String jobId = Inbox.jobId(BUCKET, key, "etag-lambda");

        ConsumerRecord<String, String> record =
                awaitRecords(Topics.JOBS_REQUESTED.name(), jobId, 1).getFirst();
        assertThat(JSON.readTree(record.value()).get("requestedBackend").asString())
                .isEqualTo("lambda");
        assertThat(JSON.readValue(record.value(), JobRequested.class).requestedBackend())
                .isEqualTo(Backend.LAMBDA);
        assertThat(header(awaitRecords(Topics.JOBS_LIFECYCLE.name(), jobId, 1).getFirst(), "ce_id"))
                .isEqualTo(jobId + "/1/PENDING");
    }

    @Test
    void autoOrNoPlacementLeavesTheChoiceToTheModelCard() {
        String auto = "inbox/digits/bob/" + UUID.randomUUID() + ".png";
        String none = "inbox/digits/bob/" + UUID.randomUUID() + ".png";
        sendRaw(
                Topics.STORAGE_EVENTS.name(),
                BUCKET + "/" + auto,
                minioNotification(
                        auto,
                        "etag-auto",
                        Map.of("content-type", "image/png", "X-Amz-Meta-Infermesh-Placement", "auto")));
        sendRaw(
                Topics.STORAGE_EVENTS.name(),
                BUCKET + "/" + none,
                minioNotification(none, "etag-none", Map.of("content-type", "image/png")));

        for (String jobId : List.of(Inbox.jobId(BUCKET, auto, "etag-auto"), Inbox.jobId(BUCKET, none, "etag-none"))) {
            String value = awaitRecords(Topics.JOBS_REQUESTED.name(), jobId, 1)
                    .getFirst()
                    .value();
            assertThat(JSON.readTree(value).has("requestedBackend")).as(value).isFalse();
            assertThat(JSON.readValue(value, JobRequested.class).requestedBackend())
                    .isNull();
        }
    }

    @Test
    void anUnknownPlacementMakesAJobThatFailsAtOnceSayingWhichChoicesThereAre() {
        String key = "inbox/digits/carol/" + UUID.randomUUID() + ".png";
        sendRaw(
                Topics.STORAGE_EVENTS.name(),
                BUCKET + "/" + key,
                minioNotification(
                        key,
                        "etag-gpu",
                        Map.of("content-type", "image/png", "X-Amz-Meta-Infermesh-Placement", "gpu-please")));
        String jobId = Inbox.jobId(BUCKET, key, "etag-gpu");

        List<JobStatusChanged> lifecycle = awaitRecords(Topics.JOBS_LIFECYCLE.name(), jobId, 2).stream()
                .map(r -> JSON.readValue(r.value(), JobStatusChanged.class))
                .toList();
        assertThat(lifecycle).extracting(JobStatusChanged::status).containsExactly(JobStatus.PENDING, JobStatus.FAILED);
        JobStatusChanged failed = lifecycle.getLast();
        assertThat(failed.reason()).isEqualTo(FailureReason.INVALID_INPUT);
        assertThat(failed.message())
                .isEqualTo("the placement 'gpu-please' (x-amz-meta-infermesh-placement) is not "
                        + "one of auto, onprem, lambda, batch; upload again with one of them, or without it to let the model "
                        + "card decide");
        assertThat(failed.owner()).isEqualTo("carol");
        assertThat(failed.input().key()).isEqualTo(key);
        // a request would have been acknowledged before the job's first status: none is there, so none was made
        assertThat(recordsUpToNow(Topics.JOBS_REQUESTED.name(), jobId))
                .as("no request for the router")
                .isEmpty();
    }

    private static JobRequested requested(String jobId) {
        return JSON.readValue(
                awaitRecords(Topics.JOBS_REQUESTED.name(), jobId, 1).getFirst().value(), JobRequested.class);
    }

    private double deadLettered(String reason) {
        var counter = meters.find("infermesh.ingest.dead-lettered")
                .tag("intake", "minio-kafka")
                .tag("reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private double ignored(String reason) {
        var counter = meters.find("infermesh.ingest.records.ignored")
                .tag("reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private static String minioNotification(String key, String eTag) {
        String encoded = URLEncoder.encode(key, StandardCharsets.UTF_8);
        return """
                {"EventName":"s3:ObjectCreated:Put","Key":"%1$s/%2$s","Records":[{"eventVersion":"2.0",
                 "eventSource":"minio:s3","eventTime":"2026-11-22T10:00:00.000Z","eventName":"s3:ObjectCreated:Put",
                 "s3":{"bucket":{"name":"%1$s"},"object":{"key":"%3$s","size":10,"eTag":"%4$s",
                 "contentType":"image/png","sequencer":"00000001"}}}]}
                """.formatted(BUCKET, key, encoded, eTag);
    }

    /** MinIO's notification of an object with user metadata, {@code s3.object.userMetadata} as MinIO writes it. */
    private static String minioNotification(String key, String eTag, Map<String, String> userMetadata) {
        String encoded = URLEncoder.encode(key, StandardCharsets.UTF_8);
        return """
                {"EventName":"s3:ObjectCreated:Put","Key":"%1$s/%2$s","Records":[{"eventVersion":"2.0",
                 "eventSource":"minio:s3","eventTime":"2026-11-22T10:00:00.000Z","eventName":"s3:ObjectCreated:Put",
                 "s3":{"bucket":{"name":"%1$s"},"object":{"key":"%3$s","size":10,"eTag":"%4$s",
                 "contentType":"image/png","userMetadata":%5$s,"sequencer":"00000001"}}}]}
                """.formatted(BUCKET, key, encoded, eTag, JSON.writeValueAsString(userMetadata));
    }

    private static void sendRaw(String topic, String key, String value) {
        TopicProbe.send(kafka(), topic, key, value.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private static List<ConsumerRecord<String, String>> awaitRecords(String topic, String key, int count) {
        return TopicProbe.awaitRecords(kafka(), topic, key, found -> found.size() >= count, Duration.ofSeconds(30));
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        return TopicProbe.header(record, name);
    }

    private static String kafka() {
        return LocalInfraExtension.infra().kafka().bootstrapServers();
    }
}
