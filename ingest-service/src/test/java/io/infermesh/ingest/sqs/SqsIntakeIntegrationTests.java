package io.infermesh.ingest.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.Topics;
import io.infermesh.ingest.IngestIntegrationTest;
import io.infermesh.ingest.IngestServiceApplication;
import io.infermesh.ingest.jobs.Inbox;
import io.infermesh.ingest.webhook.MinioWebhookController;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.MotoServer;
import io.infermesh.localinfra.TopicProbe;
import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Event;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import tools.jackson.databind.JsonNode;

/**
 * The SQS intake against a moto server's SQS, SNS and S3, with what it publishes on a real Kafka: every body shape,
 * dead letters, delete-after-publish, a bucket's own notification configuration, and one job across three intakes.
 */
@ExtendWith(MotoServer.class)
@SpringBootTest(
        classes = IngestServiceApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=ingest-service",
            "infermesh.ingest.sqs.enabled=true",
            "infermesh.ingest.sqs.access-key=testing",
            "infermesh.ingest.sqs.secret-key=testing",
            "infermesh.ingest.webhook.token=" + SqsIntakeIntegrationTests.TOKEN
        })
// closed at the end of the class, while moto still runs: its pollers stop cleanly instead of failing to reconnect
@DirtiesContext
class SqsIntakeIntegrationTests extends IngestIntegrationTest {

    static final String TOKEN = "sqs-test-webhook-token";
    static final String BUCKET = "sqs-tests";
    static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    static SqsClient sqs;
    static String queueUrl;
    static String bucketQueueUrl;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void sqs(DynamicPropertyRegistry registry) {
        registry.add(
                "infermesh.ingest.sqs.endpoint", () -> MotoServer.endpoint().toString());
        registry.add("infermesh.ingest.sqs.queue-urls[0]", SqsIntakeIntegrationTests::queueUrl);
        registry.add("infermesh.ingest.sqs.queue-urls[1]", SqsIntakeIntegrationTests::bucketQueueUrl);
    }

    static synchronized SqsClient sqs() {
        if (sqs == null) {
            sqs = MotoServer.client(SqsClient.builder());
        }
        return sqs;
    }

    static synchronized String queueUrl() {
        if (queueUrl == null) {
            queueUrl = sqs().createQueue(b -> b.queueName("ingest-" + SUFFIX)).queueUrl();
        }
        return queueUrl;
    }

    static synchronized String bucketQueueUrl() {
        if (bucketQueueUrl == null) {
            bucketQueueUrl = sqs().createQueue(b -> b.queueName("bucket-events-" + SUFFIX))
                    .queueUrl();
        }
        return bucketQueueUrl;
    }

    @AfterAll
    static void closeClient() {
        if (sqs != null) {
            sqs.close();
        }
    }

    @Test
    void anS3EventSentToTheQueueBecomesAJobAndIsDeleted() {
        String key = "inbox/digits/alice/" + UUID.randomUUID() + "/my scan+1 été.png";
        sqs().sendMessage(b -> b.queueUrl(queueUrl()).messageBody(s3Event(BUCKET, key, "etag-q1")));

        JsonNode requested = requested(Inbox.jobId(BUCKET, key, "etag-q1"));
        assertThat(requested.get("input").get("key").asString())
                .as("decoded exactly once")
                .isEqualTo(key);
        assertThat(requested.get("intake").asString()).isEqualTo("sqs");
        awaitEmpty(queueUrl());
    }

    @Test
    void anS3EventInsideAnSnsEnvelopeAndAsSnsRawDeliveryBecomesAJob() {
        String queueArn = queueArn(queueUrl());
        String enveloped = MotoSns.createTopic("enveloped-" + UUID.randomUUID());
        String raw = MotoSns.createTopic("raw-" + UUID.randomUUID());
        MotoSns.subscribeQueue(enveloped, queueArn, false);
        MotoSns.subscribeQueue(raw, queueArn, true);
        String envelopedKey = "inbox/digits/bob/" + UUID.randomUUID() + "/enveloped (1).png";
        String rawKey = "inbox/digits/bob/" + UUID.randomUUID() + "/raw [2].png";

        MotoSns.publish(enveloped, s3Event(BUCKET, envelopedKey, "etag-sns1"));
        MotoSns.publish(raw, s3Event(BUCKET, rawKey, "etag-sns2"));

        assertThat(requested(Inbox.jobId(BUCKET, envelopedKey, "etag-sns1"))
                        .get("input")
                        .get("key")
                        .asString())
                .isEqualTo(envelopedKey);
        assertThat(requested(Inbox.jobId(BUCKET, rawKey, "etag-sns2"))
                        .get("input")
                        .get("key")
                        .asString())
                .isEqualTo(rawKey);
        awaitEmpty(queueUrl());
    }

    @Test
    void anEventBridgeObjectCreatedEventKeepsItsPlainKey() {
        // EventBridge keys are not URL-encoded: '+' and '%2B' are literally in the key
        String key = "inbox/digits/carol/" + UUID.randomUUID() + "/a+b%2Bc d.png";
        sqs().sendMessage(b -> b.queueUrl(queueUrl()).messageBody(eventBridge(BUCKET, key, "etag-eb1")));

        JsonNode requested = requested(Inbox.jobId(BUCKET, key, "etag-eb1"));
        assertThat(requested.get("input").get("key").asString()).isEqualTo(key);
        assertThat(requested.get("input").get("size").asLong()).isEqualTo(7);
        awaitEmpty(queueUrl());
    }

    @Test
    void aTestEventIsDeletedAndCounted() {
        double before = ignored("test-event");
        sqs().sendMessage(b -> b.queueUrl(queueUrl()).messageBody("""
                {"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-22T10:00:00.000Z","Bucket":"b"}"""));

        await().atMost(Duration.ofSeconds(30)).until(() -> ignored("test-event") > before);
        awaitEmpty(queueUrl());
    }

    @Test
    void aMalformedMessageIsDeadLetteredThenDeletedAndTheNextOneStillMakesAJob() {
        double before = count("infermesh.ingest.dead-lettered");
        String marker = "not-json-" + UUID.randomUUID();
        String badId = sqs().sendMessage(b -> b.queueUrl(queueUrl()).messageBody("<xml>" + marker + "</xml>"))
                .messageId();
        String unknownId = sqs().sendMessage(b -> b.queueUrl(queueUrl())
                        .messageBody(
                                "{\"detail-type\":\"EC2 Instance State-change Notification\",\"source\":\"aws.ec2\","
                                        + "\"detail\":{}}"))
                .messageId();
        String key = "inbox/digits/dave/" + UUID.randomUUID() + ".png";
        sqs().sendMessage(b -> b.queueUrl(queueUrl()).messageBody(s3Event(BUCKET, key, "etag-q2")));

        ConsumerRecord<String, String> dead =
                awaitRecords(Topics.STORAGE_EVENTS.dlq(), badId, 1).getFirst();
        assertThat(dead.value()).contains(marker);
        assertThat(TopicProbe.header(dead, "x-exception-message")).contains("not JSON");
        assertThat(TopicProbe.header(dead, "x-original-source")).isEqualTo(queueUrl());
        ConsumerRecord<String, String> unknown =
                awaitRecords(Topics.STORAGE_EVENTS.dlq(), unknownId, 1).getFirst();
        assertThat(TopicProbe.header(unknown, "x-exception-message")).contains("aws.ec2");
        assertThat(requested(Inbox.jobId(BUCKET, key, "etag-q2")).get("model").asString())
                .isEqualTo("digits");
        awaitEmpty(queueUrl());
        assertThat(count("infermesh.ingest.dead-lettered")).isEqualTo(before + 2);
    }

    @Test
    void aBucketsOwnNotificationsDeliverAwkwardKeysExactly() {
        String bucket = "awkward-" + SUFFIX;
        double testEvents = ignored("test-event");
        List<String> keys = List.of(
                "inbox/digits/erin/with space/a b.png",
                "inbox/digits/erin/plus+sign and %2B literal.png",
                "inbox/digits/erin/[brackets] (parens) {braces}.png",
                "inbox/digits/erin/accénts/naïve café Ünïcödé.png",
                "inbox/digits/erin/emoji 😀🚀.png",
                "inbox/digits/erin/a/very/deep/path/of/many/folders/x.png",
                "inbox/digits/erin/odd chars ~!$&'=;,@ 100%.png");
        try (S3Client s3 = MotoServer.s3()) {
            s3.createBucket(b -> b.bucket(bucket));
            String queueArn = queueArn(bucketQueueUrl());
            s3.putBucketNotificationConfiguration(b -> b.bucket(bucket)
                    .notificationConfiguration(n -> n.queueConfigurations(
                            q -> q.id("to-ingest").queueArn(queueArn).events(Event.S3_OBJECT_CREATED))));
            // moto, like S3, sends an s3:TestEvent when the configuration is set
            await().atMost(Duration.ofSeconds(30)).until(() -> ignored("test-event") > testEvents);

            Map<String, String> eTags = new LinkedHashMap<>();
            for (String key : keys) {
                eTags.put(
                        key,
                        s3.putObject(
                                        b -> b.bucket(bucket).key(key).contentType("image/png"),
                                        RequestBody.fromString("pixels of " + key))
                                .eTag()
                                .replace("\"", ""));
            }
            eTags.forEach((key, eTag) -> {
                JsonNode requested = requested(Inbox.jobId(bucket, key, eTag));
                assertThat(requested.get("input").get("key").asString()).isEqualTo(key);
                assertThat(requested.get("input").get("bucket").asString()).isEqualTo(bucket);
            });
        }
        awaitEmpty(bucketQueueUrl());
    }

    @Test
    void theSameObjectThroughKafkaTheWebhookAndSqsIsOneJob() throws Exception {
        String key = "inbox/digits/frank/" + UUID.randomUUID() + "/same+thing.png";
        String jobId = Inbox.jobId(BUCKET, key, "etag-dup");
        String minio = minioEvent(key, "etag-dup");

        TopicProbe.send(
                kafka(),
                Topics.STORAGE_EVENTS.name(),
                BUCKET + "/" + key,
                minio.getBytes(StandardCharsets.UTF_8),
                Map.of());
        HttpResponse<String> webhook = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + MinioWebhookController.PATH))
                                .header("Authorization", "Bearer " + TOKEN)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(minio))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(webhook.statusCode()).isEqualTo(202);
        sqs().sendMessage(b -> b.queueUrl(queueUrl()).messageBody(eventBridge(BUCKET, key, "etag-dup")));

        List<ConsumerRecord<String, String>> requested = awaitRecords(Topics.JOBS_REQUESTED.name(), jobId, 3);
        assertThat(requested)
                .extracting(r -> JSON.readTree(r.value()).get("intake").asString())
                .containsExactlyInAnyOrder("minio-kafka", "minio-webhook", "sqs");
        assertThat(requested)
                .extracting(
                        r -> JSON.readTree(r.value()).get("input").get("key").asString())
                .containsOnly(key);
        assertThat(awaitRecords(Topics.JOBS_LIFECYCLE.name(), jobId, 3))
                .extracting(r -> TopicProbe.header(r, "ce_id"))
                .containsOnly(jobId + "/1/PENDING");
    }

    static String s3Event(String bucket, String key, String eTag) {
        return """
                {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",
                 "eventTime":"2026-11-22T10:00:00.000Z","eventName":"ObjectCreated:Put",
                 "s3":{"s3SchemaVersion":"1.0","bucket":{"name":"%s","arn":"arn:aws:s3:::%1$s"},
                 "object":{"key":"%s","size":10,"eTag":"%s","sequencer":"0055AED6DCD90281E5"}}}]}""".formatted(bucket, URLEncoder.encode(key, StandardCharsets.UTF_8), eTag);
    }

    static String eventBridge(String bucket, String key, String eTag) {
        return """
                {"version":"0","id":"%s","detail-type":"Object Created","source":"aws.s3",
                 "account":"123456789012","time":"2026-11-22T10:00:00Z","region":"us-east-1",
                 "resources":["arn:aws:s3:::%s"],"detail":{"version":"0","bucket":{"name":"%2$s"},
                 "object":{"key":"%s","size":7,"etag":"%s","sequencer":"00617F08299329D189"},
                 "request-id":"N4N7GDK58NMKJ12R","requester":"123456789012","reason":"PutObject"}}""".formatted(
                        UUID.randomUUID(), bucket, JSON.writeValueAsString(key).replaceAll("^\"|\"$", ""), eTag);
    }

    static String minioEvent(String key, String eTag) {
        return """
                {"EventName":"s3:ObjectCreated:Put","Key":"%1$s/%2$s","Records":[{"eventVersion":"2.0",
                 "eventSource":"minio:s3","eventTime":"2026-11-22T10:00:00.000Z","eventName":"s3:ObjectCreated:Put",
                 "s3":{"bucket":{"name":"%1$s"},"object":{"key":"%3$s","size":10,"eTag":"%4$s",
                 "contentType":"image/png","sequencer":"00000001"}}}]}""".formatted(BUCKET, key, URLEncoder.encode(key, StandardCharsets.UTF_8), eTag);
    }

    private static String queueArn(String url) {
        return sqs().getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes()
                .get(QueueAttributeName.QUEUE_ARN);
    }

    /** Every message handled and deleted: none waiting, none in flight. */
    private static void awaitEmpty(String url) {
        await("queue " + url + " empty").atMost(Duration.ofSeconds(30)).until(() -> {
            var attributes = sqs().getQueueAttributes(b -> b.queueUrl(url)
                            .attributeNames(
                                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                    .attributes();
            return "0".equals(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                    && "0".equals(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
        });
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

    private static JsonNode requested(String jobId) {
        return JSON.readTree(
                awaitRecords(Topics.JOBS_REQUESTED.name(), jobId, 1).getFirst().value());
    }

    private static List<ConsumerRecord<String, String>> awaitRecords(String topic, String key, int count) {
        return TopicProbe.awaitRecords(kafka(), topic, key, found -> found.size() >= count, Duration.ofSeconds(30));
    }

    private static String kafka() {
        return LocalInfraExtension.infra().kafka().bootstrapServers();
    }
}
