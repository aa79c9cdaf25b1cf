package io.infermesh.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.identity.IdentityProvider;
import io.infermesh.localinfra.WithLocalInfra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who reaches the worker over HTTP, with real tokens of a real OIDC provider: on the service port the OIP health probes
 * and {@code /openapi.yaml} are open, a model's metadata and inference need any user of the issuer, everything else is
 * refused; on the management port health and prometheus are open and {@code pools} is for operators. Every refusal is
 * an empty body: no prediction and no pool leaks out of it.
 */
@WithLocalInfra
class WorkerSecurityIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String IRIS = """
            {"id": "r-1", "inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 4],
             "data": [6.3, 3.4, 5.6, 2.4]}]}""";

    static ConfigurableApplicationContext worker;
    static int port;
    static int managementPort;
    static String alice;
    static String operator;

    @BeforeAll
    static void start() {
        List<String> args = new ArrayList<>(List.of(WorkerKafka.properties("")));
        args.add("server.port=0");
        args.add(TestIssuer.issuerUriSetting());
        worker = WorkerServiceApplication.builder()
                .run(args.stream().map(a -> "--" + a).toArray(String[]::new));
        port = ((WebServerApplicationContext) worker).getWebServer().getPort();
        managementPort = Integer.parseInt(worker.getEnvironment().getRequiredProperty("local.management.port"));
        alice = TestIssuer.provider().userToken("alice");
        operator = TestIssuer.provider().operatorToken();
    }

    @AfterAll
    static void stop() {
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    void inferenceWithoutATokenIsRefusedWithABearerChallengeAndNoPrediction() throws Exception {
        Map<String, HttpResponse<String>> anonymous = new LinkedHashMap<>();
        anonymous.put("infer", send(port, "POST", "/v2/models/iris/infer", IRIS, null));
        anonymous.put(
                "plain predict",
                send(
                        port,
                        "POST",
                        "/api/models/iris/predict",
                        "{\"sepal_length\": 6.3, \"sepal_width\": 3.4, \"petal_length\": 5.6, \"petal_width\": 2.4}",
                        null));
        anonymous.put("metadata", send(port, "GET", "/v2/models/iris", null, null));
        anonymous.put("model ready", send(port, "GET", "/v2/models/iris/ready", null, null));

        anonymous.forEach((call, response) -> {
            assertThat(response.statusCode()).as(call).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate"))
                    .as(call)
                    .hasValueSatisfying(h -> assertThat(h).startsWith("Bearer"));
            assertThat(response.body()).as(call).isEmpty();
        });
    }

    @Test
    void aForgedAnExpiredOrAnotherIssuersTokenIsRefusedAsAnInvalidToken() throws Exception {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put(
                "forged signature",
                alice.substring(0, alice.length() - 4) + (alice.endsWith("AAAA") ? "BBBB" : "AAAA"));
        bad.put("expired", TestIssuer.expiredToken("alice", Duration.ofMinutes(5)));
        try (IdentityProvider other = IdentityProvider.start(0)) {
            bad.put("another issuer", other.userToken("alice"));
        }
        bad.put("not a JWT", "alice");

        for (var token : bad.entrySet()) {
            HttpResponse<String> response = send(port, "POST", "/v2/models/iris/infer", IRIS, token.getValue());
            assertThat(response.statusCode()).as(token.getKey()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate"))
                    .as(token.getKey())
                    .hasValueSatisfying(h -> assertThat(h).startsWith("Bearer").contains("error=\"invalid_token\""));
            assertThat(response.body()).as(token.getKey()).isEmpty();
        }
        assertThat(send(port, "POST", "/v2/models/iris/infer", IRIS, bad.get("expired"))
                        .headers()
                        .firstValue("WWW-Authenticate"))
                .as("refused for its age, not its signature")
                .hasValueSatisfying(h -> assertThat(h).contains("Jwt expired at"));
    }

    @Test
    void aUserOfTheIssuerGetsThePrediction() throws Exception {
        HttpResponse<String> response = send(port, "POST", "/v2/models/iris/infer", IRIS, alice);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("id").asString()).isEqualTo("r-1");
        assertThat(body.get("outputs").get(1).get("data").get(0).asString()).isEqualTo("virginica");

        HttpResponse<String> metadata = send(port, "GET", "/v2/models/iris", null, alice);
        assertThat(metadata.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(metadata.body()).get("platform").asString()).isEqualTo("onnxruntime_onnx");
    }

    @Test
    void theHealthProbesAndTheDocumentAreOpen() throws Exception {
        HttpResponse<String> live = send(port, "GET", "/v2/health/live", null, null);
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(live.body()).get("live").asBoolean()).isTrue();
        HttpResponse<String> ready = send(port, "GET", "/v2/health/ready", null, null);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ready.body()).get("ready").asBoolean()).isTrue();

        HttpResponse<String> document = send(port, "GET", "/openapi.yaml", null, null);
        assertThat(document.statusCode()).isEqualTo(200);
        assertThat(document.body()).contains("bearerFormat: JWT");
    }

    @Test
    void whatTheWorkerDoesNotServeIsRefusedEvenToAUser() throws Exception {
        for (String path : List.of(
                "/",
                "/v2",
                "/v2/repository/index",
                "/api/jobs",
                "/actuator/pools",
                "/actuator/health",
                "/error",
                "/worker-service.yml")) {
            HttpResponse<String> anonymous = send(port, "GET", path, null, null);
            assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
                    .as(path)
                    .hasValueSatisfying(h -> assertThat(h).startsWith("Bearer"));
            assertThat(anonymous.body()).as(path).isEmpty();

            HttpResponse<String> user = send(port, "GET", path, null, alice);
            assertThat(user.statusCode()).as(path).isEqualTo(403);
            assertThat(user.body()).as(path).isEmpty();
        }
        HttpResponse<String> predictByGet = send(port, "GET", "/api/models/iris/predict", null, alice);
        assertThat(predictByGet.statusCode()).as("only POST predicts").isEqualTo(403);
    }

    @Test
    void thePoolsEndpointIsForOperatorsOnly() throws Exception {
        HttpResponse<String> anonymous = send(managementPort, "GET", "/actuator/pools", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(h -> assertThat(h).startsWith("Bearer"));
        assertThat(anonymous.body()).isEmpty();

        HttpResponse<String> user = send(managementPort, "GET", "/actuator/pools", null, alice);
        assertThat(user.statusCode()).isEqualTo(403);
        assertThat(user.body()).isEmpty();

        HttpResponse<String> operatorsView = send(managementPort, "GET", "/actuator/pools", null, operator);
        assertThat(operatorsView.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(operatorsView.body())
                        .valueStream()
                        .map(p -> p.get("model").asString()))
                .contains("iris", "digits");

        for (String path : List.of("/actuator/info", "/actuator/metrics", "/actuator")) {
            assertThat(send(managementPort, "GET", path, null, null).statusCode())
                    .as(path)
                    .isEqualTo(401);
            assertThat(send(managementPort, "GET", path, null, alice).statusCode())
                    .as(path)
                    .isEqualTo(403);
            assertThat(send(managementPort, "GET", path, null, operator).statusCode())
                    .as(path)
                    .isEqualTo(200);
        }
    }

    @Test
    void healthIsOpenWithoutDetailsAndShowsThemToAnOperator() throws Exception {
        HttpResponse<String> open = send(managementPort, "GET", "/actuator/health", null, null);
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(open.body()).get("status").asString()).isEqualTo("UP");
        assertThat(JSON.readTree(open.body()).has("components")).isFalse();
        assertThat(open.body()).doesNotContain("s3").doesNotContain("endpoint").doesNotContain("binder");

        assertThat(JSON.readTree(send(managementPort, "GET", "/actuator/health", null, alice)
                                .body())
                        .has("components"))
                .as("a user sees no details either")
                .isFalse();
        JsonNode operatorsView = JSON.readTree(
                send(managementPort, "GET", "/actuator/health", null, operator).body());
        assertThat(operatorsView.get("components").has("s3"))
                .as(operatorsView.toString())
                .isTrue();
        assertThat(send(managementPort, "GET", "/actuator/health/liveness", null, null)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void prometheusIsOpenForScrapers() throws Exception {
        HttpResponse<String> scrape = send(managementPort, "GET", "/actuator/prometheus", null, null);
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("service=\"worker-service\"");
    }

    private static HttpResponse<String> send(int port, String method, String path, String json, String token)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(
                        method,
                        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
