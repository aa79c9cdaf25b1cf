package io.infermesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.infermesh.localinfra.TopicProbe;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole mesh, end to end, as a user sees it: upload with the AWS SDK to the local S3 endpoint, then read the job
 * only through status-service's REST API, and the result through a plain Kafka consumer.
 */
class LocalMeshIntegrationTests {

    static final Path MODELS = Path.of("../models");
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static LocalMesh mesh;
    static S3Client s3;

    @BeforeAll
    static void startMesh() {
        mesh = LocalMesh.start(LocalMesh.Settings.randomPorts(MODELS));
        s3 = mesh.infra().s3().client();
    }

    @AfterAll
    static void stopMesh() {
        if (s3 != null) {
            s3.close();
        }
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void anUploadedDigitBecomesASucceededJobWithItsTopFiveAndAResultRecord() throws Exception {
        String key = "inbox/digits/alice/" + UUID.randomUUID() + "/digit-3.png";
        String jobId = upload(key, Files.readAllBytes(MODELS.resolve("digits/samples/digit-3.png")), "image/png");

        JsonNode job = awaitTerminal(jobId);

        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("model").asString()).isEqualTo("digits");
        assertThat(job.get("owner").asString()).isEqualTo("alice");
        assertThat(job.get("backend").asString()).isEqualTo("onprem");
        assertThat(job.get("outputUri").asString())
                .isEqualTo("s3://" + LocalMesh.BUCKET + "/results/digits/alice/" + jobId + "/result.json");
        JsonNode expected = JSON.readTree(
                        MODELS.resolve("digits/samples/expected.json").toFile())
                .get("digit-3.png")
                .get("expected");
        assertTopK(job.get("predictions"), expected);

        JsonNode result = JSON.readTree(s3.getObjectAsBytes(
                        b -> b.bucket(LocalMesh.BUCKET).key("results/digits/alice/" + jobId + "/result.json"))
                .asByteArray());
        assertThat(result.get("labels")).isEqualTo(expected.get("labels"));
        assertThat(result.get("links").get("Wikipedia").get(0).asString())
                .isEqualTo("https://en.wikipedia.org/wiki/3_(number)");

        ConsumerRecord<String, String> record = awaitRecord("infermesh.jobs.results", jobId);
        JsonNode published = JSON.readTree(record.value());
        assertThat(published.get("jobId").asString()).isEqualTo(jobId);
        assertThat(published.get("predictions").get(0).get("label").asString()).isEqualTo("3");
        assertThat(TopicProbe.header(record, "ce_type")).isEqualTo("io.infermesh.job.result.v1");
        assertThat(TopicProbe.header(record, "ce_subject")).isEqualTo(jobId);
    }

    @Test
    void aFileThatIsNotAnImageFailsWithAReasonAPersonUnderstandsAndTheMeshKeepsWorking() throws Exception {
        String bad = upload(
                "inbox/digits/bob/" + UUID.randomUUID() + "/holiday.png",
                "these bytes are not a picture".getBytes(StandardCharsets.UTF_8),
                "image/png");
        JsonNode failed = awaitTerminal(bad);
        assertThat(failed.get("status").asString()).as(failed.toString()).isEqualTo("FAILED");
        assertThat(failed.get("reason").asString()).isEqualTo("INVALID_INPUT");
        assertThat(failed.get("message").asString()).contains("not a PNG or JPEG image");

        String good = upload(
                "inbox/digits/bob/" + UUID.randomUUID() + "/digit-7.png",
                Files.readAllBytes(MODELS.resolve("digits/samples/digit-7.png")),
                "image/png");
        JsonNode ok = awaitTerminal(good);
        assertThat(ok.get("status").asString()).as(ok.toString()).isEqualTo("SUCCEEDED");
        assertThat(ok.get("predictions").get(0).get("label").asString()).isEqualTo("7");
    }

    @Test
    void aTabularRecordIsClassifiedByTheIrisModel() throws Exception {
        String jobId = upload(
                "inbox/iris/carol/" + UUID.randomUUID() + "/flower.json",
                Files.readAllBytes(MODELS.resolve("iris/samples/virginica.json")),
                "application/json");
        JsonNode job = awaitTerminal(jobId);
        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("predictions").get(0).get("label").asString()).isEqualTo("virginica");
    }

    @Test
    void theSameObjectAnnouncedThreeTimesOverTwoPathsIsOneJobWithOneResult() throws Exception {
        String key = "inbox/digits/frank/" + UUID.randomUUID() + "/digit-6.png";
        byte[] image = Files.readAllBytes(MODELS.resolve("digits/samples/digit-6.png"));
        String jobId = upload(key, image, "image/png"); // the local S3 endpoint announces it once on Kafka
        String eTag =
                s3.headObject(b -> b.bucket(LocalMesh.BUCKET).key(key)).eTag().replace("\"", "");
        String notification = """
                {"EventName":"s3:ObjectCreated:Put","Key":"%1$s/%2$s","Records":[{"eventVersion":"2.0",
                 "eventSource":"minio:s3","eventTime":"2026-11-22T10:00:00.000Z","eventName":"s3:ObjectCreated:Put",
                 "s3":{"bucket":{"name":"%1$s"},"object":{"key":"%3$s","size":%4$d,"eTag":"%5$s",
                 "contentType":"image/png","sequencer":"00000001"}}}]}
                """.formatted(
                        LocalMesh.BUCKET, key, URLEncoder.encode(key, StandardCharsets.UTF_8), image.length, eTag);
        TopicProbe.send(
                mesh.infra().kafka().bootstrapServers(),
                "infermesh.storage.events",
                LocalMesh.BUCKET + "/" + key,
                notification.getBytes(StandardCharsets.UTF_8),
                Map.of());
        var webhook = HTTP.send(
                HttpRequest.newBuilder(URI.create(mesh.url("ingest-service") + "/api/storage-events/minio"))
                        .header("Authorization", "Bearer " + mesh.webhookToken())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(notification))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(webhook.statusCode()).as(webhook.body()).isEqualTo(202);

        JsonNode job = awaitTerminal(jobId);
        assertThat(job.get("status").asString()).isEqualTo("SUCCEEDED");
        var jobs = getJson(mesh.url("status-service") + "/api/jobs?owner=frank").get("jobs");
        assertThat(jobs.size()).as("one job").isEqualTo(1);
        // every announcement reached the router (three PENDING events share one id), yet one result was produced
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(10))
                .until(() -> TopicProbe.awaitRecords(
                                        mesh.infra().kafka().bootstrapServers(),
                                        "infermesh.jobs.results",
                                        jobId,
                                        found -> !found.isEmpty(),
                                        Duration.ofSeconds(10))
                                .size()
                        == 1);
        assertThat(TopicProbe.awaitRecords(
                        mesh.infra().kafka().bootstrapServers(),
                        "infermesh.jobs.requested",
                        jobId,
                        found -> found.size() >= 3,
                        Duration.ofSeconds(10)))
                .hasSize(3);
    }

    @Test
    void anUploadForAModelThatDoesNotExistFailsSayingSo() throws Exception {
        String jobId = upload(
                "inbox/no-such-model/dave/" + UUID.randomUUID() + ".png",
                Files.readAllBytes(MODELS.resolve("digits/samples/digit-1.png")),
                "image/png");
        JsonNode job = awaitTerminal(jobId);
        assertThat(job.get("status").asString()).isEqualTo("FAILED");
        assertThat(job.get("reason").asString()).isEqualTo("UNKNOWN_MODEL");
        assertThat(job.get("message").asString()).contains("no-such-model");
    }

    @Test
    void everyServiceReportsItselfHealthyWithItsDependencies() throws Exception {
        for (String service : List.of("status-service", "ingest-service", "router-service", "worker-service")) {
            // details (the indicators) for operators only
            JsonNode health = getJson(mesh.managementUrl(service) + "/actuator/health");
            assertThat(health.get("status").asString())
                    .as(service + " " + health)
                    .isEqualTo("UP");
            assertThat(health.get("components").has("binders"))
                    .as(service + " Kafka binder health")
                    .isTrue();
        }
        assertThat(getJson(mesh.managementUrl("status-service") + "/actuator/health")
                        .get("components")
                        .has("db"))
                .isTrue();
        assertThat(getJson(mesh.managementUrl("worker-service") + "/actuator/health")
                        .get("components")
                        .has("s3"))
                .isTrue();
        for (String service :
                List.of("status-service", "ingest-service", "router-service", "worker-service", "gateway-service")) {
            // anyone (a probe) learns UP or DOWN, nothing about the dependencies behind it
            var anonymous = HTTP.send(
                    HttpRequest.newBuilder(URI.create(mesh.managementUrl(service) + "/actuator/health"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).as(service).isEqualTo(200);
            JsonNode said = JSON.readTree(anonymous.body());
            assertThat(said.get("status").asString()).as(service).isEqualTo("UP");
            assertThat(said.has("components"))
                    .as(service + " shows no dependency to anonymous callers: " + said)
                    .isFalse();
        }
        JsonNode gateway = getJson(mesh.managementUrl("gateway-service") + "/actuator/health");
        assertThat(gateway.get("status").asString()).as(gateway.toString()).isEqualTo("UP");
        var prometheus = HTTP.send(
                HttpRequest.newBuilder(URI.create(mesh.managementUrl("ingest-service") + "/actuator/prometheus"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(prometheus.body()).contains("infermesh_ingest_notifications");
    }

    @Test
    void eachServiceWithAnHttpApiServesItsOwnOpenApiDocumentInTheSharedJvm() throws Exception {
        for (var service : Map.of(
                        "status-service",
                        "infermesh status-service",
                        "ingest-service",
                        "infermesh ingest-service",
                        "worker-service",
                        "infermesh worker-service",
                        "router-service",
                        "infermesh router-service")
                .entrySet()) {
            var response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(mesh.url(service.getKey()) + "/openapi.yaml"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(service.getKey()).isEqualTo(200);
            assertThat(response.body()).as(service.getKey()).contains("title: " + service.getValue());
        }
    }

    private static String upload(String key, byte[] bytes, String contentType) {
        return StatusApi.upload(s3, key, bytes, contentType);
    }

    private static JsonNode awaitTerminal(String jobId) {
        return StatusApi.awaitJob(
                mesh,
                jobId,
                job -> List.of("SUCCEEDED", "FAILED").contains(job.get("status").asString()));
    }

    private static JsonNode getJson(String url) throws Exception {
        return StatusApi.getJson(mesh, url);
    }

    private static void assertTopK(JsonNode predictions, JsonNode expected) {
        assertThat(predictions).as("predictions").isNotNull();
        assertThat(predictions.size()).isEqualTo(expected.get("labels").size());
        for (int i = 0; i < predictions.size(); i++) {
            assertThat(predictions.get(i).get("label").asString())
                    .isEqualTo(expected.get("labels").get(i).asString());
            assertThat(predictions.get(i).get("probability").asDouble())
                    .isCloseTo(expected.get("probabilities").get(i).asDouble(), within(1e-5));
        }
    }

    private static ConsumerRecord<String, String> awaitRecord(String topic, String key) {
        return TopicProbe.awaitRecords(
                        mesh.infra().kafka().bootstrapServers(),
                        topic,
                        key,
                        found -> !found.isEmpty(),
                        Duration.ofSeconds(30))
                .getFirst();
    }
}
