package io.infermesh.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermesh.contracts.Topics;
import io.infermesh.identity.IdentityProvider;
import io.infermesh.ingest.jobs.Inbox;
import io.infermesh.ingest.webhook.MinioWebhookController;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Who reaches ingest over HTTP, with real tokens of a real OIDC provider. On the service port only MinIO's webhook
 * (with its own bearer token, which is not a JWT) and {@code /openapi.yaml} answer; the actuator on the management port
 * has health (details for operators only) and prometheus open and everything else for operators. Every refusal of the
 * mesh's rules is an empty body; the webhook's own refusal is a problem saying what is missing.
 */
@SpringBootTest(
        classes = IngestServiceApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=ingest-service",
            "infermesh.ingest.webhook.token=" + IngestSecurityIntegrationTests.WEBHOOK_TOKEN
        })
class IngestSecurityIntegrationTests extends IngestIntegrationTest {

    static final String WEBHOOK_TOKEN = "security-test-webhook-token";
    static final String BUCKET = "security-tests";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static IdentityProvider identity;
    private static String alice;
    private static String operator;

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @DynamicPropertySource
    static void issuer(DynamicPropertyRegistry registry) {
        registry.add(
                "spring.security.oauth2.resourceserver.jwt.issuer-uri",
                () -> provider().issuer());
    }

    private static synchronized IdentityProvider provider() {
        if (identity == null) {
            identity = IdentityProvider.start(0);
        }
        return identity;
    }

    @BeforeAll
    static void tokens() {
        alice = provider().userToken("alice");
        operator = provider().operatorToken();
    }

    @AfterAll
    static void stopProvider() {
        if (identity != null) {
            identity.close();
        }
    }

    @Test
    void theServicePortServesOnlyTheWebhookAndItsDocument() throws Exception {
        HttpResponse<String> document = send(port, "GET", "/openapi.yaml", null, null);
        assertThat(document.statusCode()).isEqualTo(200);
        assertThat(document.body()).contains("/api/storage-events/minio");

        for (String path : List.of(
                "/",
                "/api/jobs",
                "/api/storage-events/other",
                "/actuator/info",
                "/actuator/health",
                "/error",
                "/ingest-service.yml")) {
            for (String method : List.of("GET", "POST")) {
                String what = method + " " + path;
                HttpResponse<String> anonymous = send(port, method, path, null, null);
                assertThat(anonymous.statusCode()).as(what).isEqualTo(401);
                assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
                        .as(what)
                        .hasValueSatisfying(h -> assertThat(h).startsWith("Bearer"));
                assertThat(anonymous.body()).as(what).isEmpty();
                for (String token : List.of(alice, operator)) {
                    HttpResponse<String> authenticated = send(port, method, path, "Bearer " + token, null);
                    assertThat(authenticated.statusCode()).as(what).isEqualTo(403);
                    assertThat(authenticated.body()).as(what).isEmpty();
                }
            }
        }
    }

    @Test
    void theWebhookTakesItsOwnTokenAndNoOther() throws Exception {
        String key = "inbox/digits/alice/" + UUID.randomUUID() + ".png";
        String jobId = Inbox.jobId(BUCKET, key, "etag-s1");
        String body = minioNotification(key, "etag-s1");
        double created = meters.counter("infermesh.ingest.jobs.created", "intake", MinioWebhookController.INTAKE)
                .count();

        // a user's token, even an operator's, is not the webhook's
        for (String authorization : List.of("Bearer not-" + WEBHOOK_TOKEN, "Bearer " + alice, "Bearer " + operator)) {
            HttpResponse<String> refused = send(port, "POST", MinioWebhookController.PATH, authorization, body);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            assertThat(refused.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(JSON.readTree(refused.body()).get("detail").asString())
                    .isEqualTo("the bearer token is not the one configured in infermesh.ingest.webhook.token");
        }
        assertThat(meters.counter("infermesh.ingest.jobs.created", "intake", MinioWebhookController.INTAKE)
                        .count())
                .isEqualTo(created);
        assertThat(recordsUpToNow(Topics.JOBS_REQUESTED.name(), jobId))
                .as("no job")
                .isEmpty();
        assertThat(recordsUpToNow(Topics.JOBS_LIFECYCLE.name(), jobId))
                .as("no status")
                .isEmpty();

        HttpResponse<String> accepted =
                send(port, "POST", MinioWebhookController.PATH, "Bearer " + WEBHOOK_TOKEN, body);
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(accepted.body()).get("jobIds").get(0).asString())
                .isEqualTo(jobId);
    }

    @Test
    void healthIsOpenWithoutDetailsAndShowsThemToAnOperator() throws Exception {
        HttpResponse<String> open = send(managementPort, "GET", "/actuator/health", null, null);
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(open.body()).get("status").asString()).isEqualTo("UP");
        assertThat(JSON.readTree(open.body()).has("components")).isFalse();
        assertThat(open.body()).doesNotContain("kafka").doesNotContain("binder");

        assertThat(JSON.readTree(send(managementPort, "GET", "/actuator/health", "Bearer " + alice, null)
                                .body())
                        .has("components"))
                .as("a user sees no details either")
                .isFalse();
        HttpResponse<String> detailed = send(managementPort, "GET", "/actuator/health", "Bearer " + operator, null);
        assertThat(JSON.readTree(detailed.body()).has("components")).isTrue();
        assertThat(send(managementPort, "GET", "/actuator/health/liveness", null, null)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void prometheusIsOpenForScrapers() throws Exception {
        HttpResponse<String> scrape = send(managementPort, "GET", "/actuator/prometheus", null, null);
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("infermesh_ingest_notifications");
    }

    @Test
    void infoAndMetricsNeedAnOperator() throws Exception {
        for (String path : List.of(
                "/actuator/info",
                "/actuator/metrics",
                "/actuator/metrics/infermesh.ingest.notifications",
                "/actuator")) {
            HttpResponse<String> anonymous = send(managementPort, "GET", path, null, null);
            assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
                    .as(path)
                    .hasValueSatisfying(h -> assertThat(h).startsWith("Bearer"));
            assertThat(anonymous.body()).as(path).isEmpty();

            HttpResponse<String> forged = send(
                    managementPort,
                    "GET",
                    path,
                    "Bearer " + operator.substring(0, operator.length() - 4) + "AAAA",
                    null);
            assertThat(forged.statusCode())
                    .as(path + " with a forged signature")
                    .isEqualTo(401);
            assertThat(forged.body()).isEmpty();

            HttpResponse<String> webhookToken = send(managementPort, "GET", path, "Bearer " + WEBHOOK_TOKEN, null);
            assertThat(webhookToken.statusCode())
                    .as(path + " with the webhook's token")
                    .isEqualTo(401);

            HttpResponse<String> user = send(managementPort, "GET", path, "Bearer " + alice, null);
            assertThat(user.statusCode()).as(path).isEqualTo(403);
            assertThat(user.body()).as(path).isEmpty();

            assertThat(send(managementPort, "GET", path, "Bearer " + operator, null)
                            .statusCode())
                    .as(path)
                    .isEqualTo(200);
        }
        assertThat(send(managementPort, "GET", "/actuator/metrics", "Bearer " + operator, null)
                        .body())
                .contains("infermesh.ingest.notifications");
    }

    @Test
    void anEnabledWebhookWithoutATokenStopsStartUpSayingWhatToSet() {
        assertThatThrownBy(() -> IngestServiceApplication.builder()
                        .run(
                                "--server.port=0",
                                "--management.server.port=0",
                                "--spring.main.banner-mode=off",
                                "--spring.cloud.stream.kafka.binder.brokers=" + kafkaBootstrap(),
                                "--infermesh.ingest.webhook.enabled=true",
                                "--infermesh.ingest.webhook.token="))
                .satisfies(failure -> assertThat(rootCause(failure).getMessage())
                        .isEqualTo(
                                "infermesh.ingest.webhook.token (environment variable INFERMESH_INGEST_WEBHOOK_TOKEN) must be "
                                        + "set when infermesh.ingest.webhook.enabled is true: it is the auth_token of MinIO's webhook "
                                        + "target and has no default. Set it to a secret, or switch the webhook off with "
                                        + "INFERMESH_INGEST_WEBHOOK_ENABLED=false"));
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static HttpResponse<String> send(int port, String method, String path, String authorization, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String minioNotification(String key, String eTag) {
        return """
                {"EventName":"s3:ObjectCreated:Put","Key":"%1$s/%2$s","Records":[{"eventVersion":"2.0",
                 "eventSource":"minio:s3","eventTime":"2026-11-22T10:00:00.000Z","eventName":"s3:ObjectCreated:Put",
                 "s3":{"bucket":{"name":"%1$s"},"object":{"key":"%3$s","size":10,"eTag":"%4$s",
                 "contentType":"image/png","sequencer":"00000001"}}}]}
                """.formatted(BUCKET, key, URLEncoder.encode(key, StandardCharsets.UTF_8), eTag);
    }
}
