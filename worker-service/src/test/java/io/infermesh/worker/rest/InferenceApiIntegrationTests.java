package io.infermesh.worker.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.infermesh.localinfra.WithLocalInfra;
import io.infermesh.worker.FraudSamples;
import io.infermesh.worker.TestIssuer;
import io.infermesh.worker.WorkerKafkaAccess;
import io.infermesh.worker.WorkerServiceApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The worker's synchronous API as a client sees it: OIP v2 and the plain endpoint, on the real engine and models,
 * called by alice with her token from the mesh's issuer (who else may call is {@code WorkerSecurityIntegrationTests}).
 */
@WithLocalInfra
class InferenceApiIntegrationTests {

    static final Path MODELS = Path.of("../models");
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static ConfigurableApplicationContext worker;
    static String base;
    static String alice;

    @BeforeAll
    static void start() {
        List<String> args = new ArrayList<>(List.of(WorkerKafkaAccess.properties("")));
        args.add("server.port=0");
        args.add(TestIssuer.issuerUriSetting());
        worker = WorkerServiceApplication.builder()
                .run(args.stream().map(a -> "--" + a).toArray(String[]::new));
        base = "http://127.0.0.1:"
                + ((WebServerApplicationContext) worker).getWebServer().getPort();
        alice = TestIssuer.provider().userToken("alice");
    }

    @AfterAll
    static void stop() {
        if (worker != null) {
            worker.close();
        }
    }

    record Reply(int status, JsonNode body) {}

    private static Reply get(String path) throws Exception {
        var response = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Authorization", "Bearer " + alice)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), JSON.readTree(response.body()));
    }

    private static Reply post(String path, String contentType, byte[] body) throws Exception {
        var response = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Content-Type", contentType)
                        .header("Authorization", "Bearer " + alice)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), JSON.readTree(response.body()));
    }

    @Test
    void healthAndMetadataFollowTheOpenInferenceProtocol() throws Exception {
        assertThat(get("/v2/health/live").body().get("live").asBoolean()).isTrue();
        assertThat(get("/v2/health/ready").body().get("ready").asBoolean()).isTrue();
        JsonNode digits = get("/v2/models/digits").body();
        assertThat(digits.get("platform").asString()).isEqualTo("onnxruntime_onnx");
        assertThat(digits.get("inputs").get(0).get("shape").toString()).isEqualTo("[-1,1,8,8]");
        assertThat(digits.get("inputs").get(0).get("datatype").asString()).isEqualTo("FP32");
        assertThat(get("/v2/models/iris/ready").body().get("ready").asBoolean()).isTrue();
        Reply unknown = get("/v2/models/nope");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().get("detail").asString()).contains("nope").contains("digits");
    }

    @Test
    void aRawTensorGivesTheSameAnswerAsTheSameRecordThroughThePlainEndpoint() throws Exception {
        byte[] record = Files.readAllBytes(MODELS.resolve("iris/samples/virginica.json"));
        JsonNode plain =
                post("/api/models/iris/predict", "application/json", record).body();
        assertThat(plain.get("labels").get(0).asString()).isEqualTo("virginica");

        JsonNode features = JSON.readTree(record);
        String request = """
                {"id": "r-1", "inputs": [{"name": "input", "datatype": "FP32", "shape": [2, 4],
                 "data": [[%s, %s, %s, %s], [%s, %s, %s, %s]]}]}""".formatted(
                        features.get("sepal_length"),
                        features.get("sepal_width"),
                        features.get("petal_length"),
                        features.get("petal_width"),
                        5.1,
                        3.5,
                        1.4,
                        0.2);
        Reply reply = post("/v2/models/iris/infer", "application/json", request.getBytes());
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        assertThat(reply.body().get("id").asString()).isEqualTo("r-1");
        JsonNode labels = reply.body().get("outputs").get(1);
        JsonNode probabilities = reply.body().get("outputs").get(0);
        assertThat(labels.get("shape").toString()).isEqualTo("[2,3]");
        assertThat(labels.get("data").get(0).asString()).isEqualTo("virginica");
        assertThat(labels.get("data").get(3).asString()).as("second row").isEqualTo("setosa");
        assertThat(probabilities.get("data").get(0).asDouble())
                .isCloseTo(plain.get("probabilities").get(0).asDouble(), within(1e-5));
    }

    @Test
    void anImageThroughThePlainEndpointIsClassified() throws Exception {
        Reply reply = post(
                "/api/models/digits/predict",
                "image/png",
                Files.readAllBytes(MODELS.resolve("digits/samples/digit-3.png")));
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("labels").get(0).asString()).isEqualTo("3");
    }

    @Test
    void requestsTheModelCannotTakeAre400sNamingWhatIsWrong() throws Exception {
        Reply wrongShape = post(
                "/v2/models/digits/infer",
                "application/json",
                "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [1, 4], \"data\": [1, 2, 3, 4]}]}"
                        .getBytes());
        assertThat(wrongShape.status()).isEqualTo(400);
        assertThat(wrongShape.body().get("parameter").asString()).isEqualTo("shape");
        assertThat(wrongShape.body().get("detail").asString()).contains("[-1, 1, 8, 8]");

        Reply tooFewValues = post(
                "/v2/models/iris/infer",
                "application/json",
                "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [2, 4], \"data\": [1, 2, 3, 4]}]}"
                        .getBytes());
        assertThat(tooFewValues.status()).isEqualTo(400);
        assertThat(tooFewValues.body().get("detail").asString()).contains("8 values");

        Reply wrongType = post(
                "/v2/models/iris/infer",
                "application/json",
                "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"INT64\", \"shape\": [1, 4], \"data\": [1, 2, 3, 4]}]}"
                        .getBytes());
        assertThat(wrongType.body().get("parameter").asString()).isEqualTo("datatype");

        Reply notAnImage = post("/api/models/digits/predict", "image/png", "not a picture".getBytes());
        assertThat(notAnImage.status()).isEqualTo(400);
        assertThat(notAnImage.body().get("detail").asString()).contains("not a PNG or JPEG image");
    }

    @ParameterizedTest
    @ValueSource(strings = {"legit.json", "batch.json", "transactions.csv"})
    void theFraudPipelineAnswersAsItsTrainingScriptComputed(String sample) throws Exception {
        Reply reply = post(
                "/api/models/fraud/predict",
                sample.endsWith(".csv") ? "text/csv" : "application/json",
                Files.readAllBytes(FraudSamples.DIR.resolve(sample)));
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        assertThat(reply.body().get("model").asString()).isEqualTo("fraud");
        FraudSamples.assertAnswerMatches(reply.body(), sample);
    }

    @Test
    void theFraudModelTakesSeventeenColumnsAsARawTensorAndRejectsARecordWithoutItsChannel() throws Exception {
        JsonNode metadata = get("/v2/models/fraud").body();
        assertThat(metadata.get("inputs").get(0).get("shape").toString())
                .as("7 fields, 2 of them one-hot encoded into 4 and 8 columns")
                .isEqualTo("[-1,17]");

        Reply noChannel = post("/api/models/fraud/predict", "text/csv", "hour,amount\n3,12.5\n".getBytes());
        assertThat(noChannel.status()).isEqualTo(400);
        assertThat(noChannel.body().get("detail").asString())
                .contains("CSV line 1")
                .contains("no column 'channel'");
    }
}
