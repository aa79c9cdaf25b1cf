package io.infermesh.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpServer;
import io.infermesh.worker.FraudSamples;
import io.infermesh.worker.engine.ImageBombs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The {@code predict} command as a person or a Batch job runs it: real models, real ONNX Runtime, JSON out. */
class PredictTests {

    static final Path MODELS = Path.of("../models");
    static final JsonMapper JSON = JsonMapper.builder().build();

    record Outcome(int code, JsonNode json) {}

    private static Outcome predict(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--models-dir=" + MODELS);
        int code = Predict.run(all, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return new Outcome(code, JSON.readTree(bytes.toString(StandardCharsets.UTF_8)));
    }

    @Test
    void anImageFileGivesTheTopFiveTheTrainingScriptRecorded(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("answer.json");
        Outcome out = predict(
                "--model-name=digits",
                "--input-file=" + MODELS.resolve("digits/samples/digit-3.png"),
                "--content-type=image/png",
                "--output-file=" + output);

        assertThat(out.code()).isZero();
        JsonNode expected = JSON.readTree(
                        MODELS.resolve("digits/samples/expected.json").toFile())
                .get("digit-3.png")
                .get("expected");
        assertThat(out.json().get("labels")).isEqualTo(expected.get("labels"));
        assertThat(out.json().get("probabilities").get(0).asDouble())
                .isCloseTo(expected.get("probabilities").get(0).asDouble(), within(1e-5));
        assertThat(out.json().get("links").get("Wikipedia").get(0).asString())
                .isEqualTo("https://en.wikipedia.org/wiki/3_(number)");
        assertThat(JSON.readTree(Files.readString(output))).isEqualTo(out.json());
    }

    @Test
    void aTabularRecordFromAUrlIsClassified() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] flower = Files.readAllBytes(MODELS.resolve("iris/samples/virginica.json"));
        server.createContext("/flower.json", exchange -> {
            exchange.sendResponseHeaders(200, flower.length);
            exchange.getResponseBody().write(flower);
            exchange.close();
        });
        server.start();
        try {
            Outcome out = predict(
                    "--model-name=iris",
                    "--url=http://127.0.0.1:" + server.getAddress().getPort() + "/flower.json");
            assertThat(out.code()).isZero();
            assertThat(out.json().get("labels").get(0).asString()).isEqualTo("virginica");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void badInputsAreJsonErrorsWithAReasonAndAnExitCode(@TempDir Path dir) throws Exception {
        Path notAnImage = Files.writeString(dir.resolve("holiday.png"), "these bytes are not a picture");
        Outcome corrupt = predict("--model-name=digits", "--input-file=" + notAnImage);
        assertThat(corrupt.code()).isEqualTo(1);
        assertThat(corrupt.json().get("reason").asString()).isEqualTo("INVALID_INPUT");

        Outcome unknown = predict("--model-name=nope", "--input-file=" + notAnImage);
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.json().get("reason").asString()).isEqualTo("UNKNOWN_MODEL");
        assertThat(unknown.json().get("error").asString()).contains("nope").contains("digits");

        Outcome missing = predict("--model-name=digits", "--input-file=" + dir.resolve("absent.png"));
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.json().get("reason").asString()).isEqualTo("INPUT_NOT_FOUND");

        Outcome wrongType = predict("--model-name=iris", "--input-file=" + notAnImage, "--content-type=image/png");
        assertThat(wrongType.json().get("error").asString()).contains("tabular");

        Outcome usage = predict("--model-name=digits");
        assertThat(usage.code()).isEqualTo(2);
        assertThat(usage.json().get("error").asString()).contains("--input-file");
        assertThat(predict("--input-file=x", "--colour=blue").code()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"suspicious.json", "batch.json", "transactions.csv"})
    void theFraudPipelineAnswersAsItsTrainingScriptComputed(String sample) {
        Outcome out = predict(
                "--model-name=fraud",
                "--input-file=" + FraudSamples.DIR.resolve(sample),
                "--content-type=" + (sample.endsWith(".csv") ? "text/csv" : "application/json"));
        assertThat(out.code()).as(out.json().toString()).isZero();
        FraudSamples.assertAnswerMatches(out.json(), sample);
    }

    @Test
    void aFraudCsvWithoutARequiredCellIsAnInvalidInputNamingTheLine(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("tx.csv"), "hour,channel,amount\n3,web,12.5\n4,,8\n");
        Outcome out = predict("--model-name=fraud", "--input-file=" + csv);
        assertThat(out.code()).isEqualTo(1);
        assertThat(out.json().get("reason").asString()).isEqualTo("INVALID_INPUT");
        assertThat(out.json().get("error").asString()).startsWith("CSV line 3: 'channel' is missing");
    }

    @Test
    void anImageClaimingTenBillionPixelsIsAnInvalidInputSayingSo(@TempDir Path dir) throws Exception {
        Path bomb = Files.write(dir.resolve("huge.png"), ImageBombs.png(100_000, 100_000));
        Outcome out = predict("--model-name=digits", "--input-file=" + bomb);
        assertThat(out.code()).isEqualTo(1);
        assertThat(out.json().get("reason").asString()).isEqualTo("INVALID_INPUT");
        assertThat(out.json().get("error").asString()).startsWith("the image is 100000×100000 pixels");
    }
}
