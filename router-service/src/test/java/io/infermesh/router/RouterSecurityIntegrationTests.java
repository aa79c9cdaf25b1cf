package io.infermesh.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.Topics;
import io.infermesh.identity.IdentityProvider;
import io.infermesh.localinfra.LocalInfra;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.WithLocalInfra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who reaches the router over HTTP, with real tokens of a real OIDC provider: the router has no API, so on its service
 * port only {@code /openapi.yaml} answers; its actuator on the management port has health and prometheus open and
 * everything else for operators. Every refusal is an empty body.
 */
@WithLocalInfra
@SpringBootTest(
        classes = RouterServiceApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=router-service", "management.server.port=0"})
class RouterSecurityIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static IdentityProvider identity;
    private static String alice;
    private static String operator;

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        LocalInfra infra = LocalInfraExtension.infra();
        infra.kafka()
                .createTopics(
                        3,
                        Topics.JOBS_REQUESTED.name(),
                        Topics.JOBS_LIFECYCLE.name(),
                        Topics.JOBS_RESULTS.name(),
                        Topics.JOBS_REQUESTED.dlq(),
                        Topics.WORKER_POOLS.name());
        registry.add(
                "spring.cloud.stream.kafka.binder.brokers", () -> infra.kafka().bootstrapServers());
        registry.add("infermesh.router.models-dir", () -> "../models");
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
    void theServicePortServesOnlyTheDocumentSayingThereIsNoApi() throws Exception {
        HttpResponse<String> document = get(port, "/openapi.yaml", null);
        assertThat(document.statusCode()).isEqualTo(200);
        assertThat(document.body()).contains("no HTTP API of its own");

        for (String path : List.of("/", "/api/jobs", "/actuator/info", "/actuator/health", "/error", "/router.yml")) {
            HttpResponse<String> anonymous = get(port, path, null);
            assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
                    .as(path)
                    .hasValueSatisfying(h -> assertThat(h).startsWith("Bearer"));
            assertThat(anonymous.body()).as(path).isEmpty();
            for (String token : List.of(alice, operator)) {
                HttpResponse<String> authenticated = get(port, path, token);
                assertThat(authenticated.statusCode()).as(path).isEqualTo(403);
                assertThat(authenticated.body()).as(path).isEmpty();
            }
        }
    }

    @Test
    void healthIsOpenWithoutDetailsAndShowsThemToAnOperator() throws Exception {
        HttpResponse<String> open = get(managementPort, "/actuator/health", null);
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(open.body()).get("status").asString()).isEqualTo("UP");
        assertThat(JSON.readTree(open.body()).has("components")).isFalse();
        assertThat(open.body()).doesNotContain("kafka").doesNotContain("binder");

        assertThat(JSON.readTree(get(managementPort, "/actuator/health", alice).body())
                        .has("components"))
                .as("a user sees no details either")
                .isFalse();
        assertThat(JSON.readTree(get(managementPort, "/actuator/health", operator)
                                .body())
                        .has("components"))
                .isTrue();
        assertThat(get(managementPort, "/actuator/health/liveness", null).statusCode())
                .isEqualTo(200);
    }

    @Test
    void prometheusIsOpenForScrapers() throws Exception {
        HttpResponse<String> scrape = get(managementPort, "/actuator/prometheus", null);
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("infermesh_router_duplicates");
    }

    @Test
    void infoAndMetricsNeedAnOperator() throws Exception {
        for (String path : List.of(
                "/actuator/info", "/actuator/metrics", "/actuator/metrics/infermesh.router.duplicates", "/actuator")) {
            HttpResponse<String> anonymous = get(managementPort, path, null);
            assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
                    .as(path)
                    .hasValueSatisfying(h -> assertThat(h).startsWith("Bearer"));
            assertThat(anonymous.body()).as(path).isEmpty();

            HttpResponse<String> forged =
                    get(managementPort, path, operator.substring(0, operator.length() - 4) + "AAAA");
            assertThat(forged.statusCode())
                    .as(path + " with a forged signature")
                    .isEqualTo(401);
            assertThat(forged.body()).isEmpty();

            HttpResponse<String> user = get(managementPort, path, alice);
            assertThat(user.statusCode()).as(path).isEqualTo(403);
            assertThat(user.body()).as(path).isEmpty();

            assertThat(get(managementPort, path, operator).statusCode())
                    .as(path)
                    .isEqualTo(200);
        }
        assertThat(get(managementPort, "/actuator/metrics", operator).body()).contains("infermesh.router.duplicates");
    }

    private static HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
