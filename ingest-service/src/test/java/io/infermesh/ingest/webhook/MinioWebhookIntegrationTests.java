package io.infermesh.ingest.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.Topics;
import io.infermesh.ingest.IngestIntegrationTest;
import io.infermesh.ingest.IngestServiceApplication;
import io.infermesh.ingest.jobs.Inbox;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.TopicProbe;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** MinIO's webhook target against the running service over real HTTP, with what it publishes on a real Kafka. */
@SpringBootTest(
        classes = IngestServiceApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=ingest-service",
            "infermesh.ingest.webhook.token=" + MinioWebhookIntegrationTests.TOKEN
        })
class MinioWebhookIntegrationTests extends IngestIntegrationTest {

    static final String TOKEN = "webhook-test-token";
    static final String BUCKET = "webhook-tests";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Test
    void aNotificationWithTheRightTokenIsAcceptedAfterItsJobWasPublished() throws Exception {
        String key = "inbox/digits/alice/" + UUID.randomUUID() + "/my scan+1 [été] 😀.png";
        String jobId = Inbox.jobId(BUCKET, key, "etag-w1");

        HttpResponse<String> response = post(minioNotification(key, "etag-w1"), "Bearer " + TOKEN);

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(response.body()).get("jobIds").get(0).asString())
                .isEqualTo(jobId);
        JsonNode requested = JSON.readTree(
                awaitRecords(Topics.JOBS_REQUESTED.name(), jobId, 1).getFirst().value());
        assertThat(requested.get("input").get("key").asString())
                .as("decoded exactly once")
                .isEqualTo(key);
        assertThat(requested.get("intake").asString()).isEqualTo("minio-webhook");
        assertThat(requested.get("model").asString()).isEqualTo("digits");
        assertThat(requested.get("owner").asString()).isEqualTo("alice");
        ConsumerRecord<String, String> pending =
                awaitRecords(Topics.JOBS_LIFECYCLE.name(), jobId, 1).getFirst();
        assertThat(TopicProbe.header(pending, "ce_id")).isEqualTo(jobId + "/1/PENDING");
        assertThat(count("infermesh.ingest.jobs.created")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aWrongOrMissingTokenIsUnauthorizedAndPublishesNothing() throws Exception {
        String key = "inbox/digits/mallory/" + UUID.randomUUID() + ".png";
        String body = minioNotification(key, "etag-w2");
        double notificationsBefore = count("infermesh.ingest.notifications");

        HttpResponse<String> wrong = post(body, "Bearer not-" + TOKEN);
        HttpResponse<String> missing = post(body, null);
        HttpResponse<String> basic = post(body, "Basic " + TOKEN);

        for (HttpResponse<String> response : List.of(wrong, missing, basic)) {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            assertThat(JSON.readTree(response.body()).get("status").asInt()).isEqualTo(401);
        }
        assertThat(count("infermesh.ingest.notifications")).as("never handled").isEqualTo(notificationsBefore);
        assertThat(count("infermesh.ingest.notifications.unauthorized")).isGreaterThanOrEqualTo(3);

        // The same object, now authorized: same key, so same partition, so an earlier record would be read first.
        assertThat(post(body, "Bearer " + TOKEN).statusCode()).isEqualTo(202);
        List<ConsumerRecord<String, String>> requested =
                awaitRecords(Topics.JOBS_REQUESTED.name(), Inbox.jobId(BUCKET, key, "etag-w2"), 1);
        assertThat(requested).as("only the authorized delivery published").hasSize(1);
    }

    @Test
    void aMalformedBodyIsABadRequestSayingWhyAndIsCounted() throws Exception {
        double before = count("infermesh.ingest.notifications.malformed");

        HttpResponse<String> notJson = post("<xml>not a notification</xml>", "Bearer " + TOKEN);
        HttpResponse<String> noKey = post("""
                {"EventName":"s3:ObjectCreated:Put","Records":[{"eventName":"s3:ObjectCreated:Put",
                 "s3":{"bucket":{"name":"b"},"object":{}}}]}""", "Bearer " + TOKEN);
        HttpResponse<String> empty = post("", "Bearer " + TOKEN);

        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(JSON.readTree(notJson.body()).get("detail").asString()).contains("not JSON");
        assertThat(noKey.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(noKey.body()).get("detail").asString()).contains("s3.object.key");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(count("infermesh.ingest.notifications.malformed")).isEqualTo(before + 3);
    }

    @Test
    void aTestEventIsAcceptedAndCountedWithoutAJob() throws Exception {
        double before = ignored("test-event");
        HttpResponse<String> response = post("""
                {"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-22T10:00:00.000Z","Bucket":"b"}""", "Bearer " + TOKEN);
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(response.body()).get("jobIds").isEmpty()).isTrue();
        assertThat(ignored("test-event")).isEqualTo(before + 1);
    }

    @Test
    void theSameObjectThroughKafkaAndTheWebhookIsOneJob() throws Exception {
        String key = "inbox/digits/dave/" + UUID.randomUUID() + ".png";
        String body = minioNotification(key, "etag-w3");
        String jobId = Inbox.jobId(BUCKET, key, "etag-w3");

        TopicProbe.send(
                kafka(),
                Topics.STORAGE_EVENTS.name(),
                BUCKET + "/" + key,
                body.getBytes(StandardCharsets.UTF_8),
                Map.of());
        assertThat(post(body, "Bearer " + TOKEN).statusCode()).isEqualTo(202);

        List<ConsumerRecord<String, String>> requested = awaitRecords(Topics.JOBS_REQUESTED.name(), jobId, 2);
        assertThat(requested)
                .extracting(r -> JSON.readTree(r.value()).get("intake").asString())
                .containsExactlyInAnyOrder("minio-kafka", "minio-webhook");
        assertThat(awaitRecords(Topics.JOBS_LIFECYCLE.name(), jobId, 2))
                .extracting(r -> TopicProbe.header(r, "ce_id"))
                .containsOnly(jobId + "/1/PENDING");
    }

    private HttpResponse<String> post(String body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + MinioWebhookController.PATH))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private double count(String name) {
        var counter =
                meters.find(name).tag("intake", MinioWebhookController.INTAKE).counter();
        return counter == null ? 0 : counter.count();
    }

    private double ignored(String reason) {
        var counter = meters.find("infermesh.ingest.records.ignored")
                .tag("intake", MinioWebhookController.INTAKE)
                .tag("reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    static String minioNotification(String key, String eTag) {
        String encoded = URLEncoder.encode(key, StandardCharsets.UTF_8);
        return """
                {"EventName":"s3:ObjectCreated:Put","Key":"%1$s/%2$s","Records":[{"eventVersion":"2.0",
                 "eventSource":"minio:s3","eventTime":"2026-11-22T10:00:00.000Z","eventName":"s3:ObjectCreated:Put",
                 "s3":{"bucket":{"name":"%1$s"},"object":{"key":"%3$s","size":10,"eTag":"%4$s",
                 "contentType":"image/png","sequencer":"00000001"}}}]}
                """.formatted(BUCKET, key, encoded, eTag);
    }

    private static List<ConsumerRecord<String, String>> awaitRecords(String topic, String key, int count) {
        return TopicProbe.awaitRecords(kafka(), topic, key, found -> found.size() >= count, Duration.ofSeconds(30));
    }

    private static String kafka() {
        return LocalInfraExtension.infra().kafka().bootstrapServers();
    }
}
