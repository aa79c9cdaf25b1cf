package io.infermesh.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.infermesh.contracts.Prediction;
import io.infermesh.worker.catalogue.WorkerModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The real ONNX Runtime on the repository's example models reproduces the top-k their training scripts recorded. */
class InferenceEngineTests {

    static final Path MODELS = Path.of("../models");
    static final JsonMapper JSON = JsonMapper.builder().build();
    static WorkerModels models;
    static InferenceEngine engine;

    @BeforeAll
    static void loadModels() {
        models = WorkerModels.load(MODELS, List.of());
        engine = new InferenceEngine(JSON, 1);
    }

    @AfterAll
    static void release() {
        engine.close();
    }

    static List<String[]> samples() {
        List<String[]> samples = new ArrayList<>();
        for (String model : List.of("digits", "iris")) {
            JsonNode expected = JSON.readTree(
                    MODELS.resolve(model).resolve("samples/expected.json").toFile());
            for (Map.Entry<String, JsonNode> e : expected.properties()) {
                samples.add(new String[] {model, e.getKey()});
            }
        }
        return samples;
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("samples")
    void everySampleGetsTheTopKItsTrainingScriptRecorded(String model, String file) throws Exception {
        JsonNode expected = JSON.readTree(
                        MODELS.resolve(model).resolve("samples/expected.json").toFile())
                .get(file);
        byte[] input =
                Files.readAllBytes(MODELS.resolve(model).resolve("samples").resolve(file));

        Inference inference = engine.run(models.find(model).orElseThrow(), input);

        List<Prediction> top = inference.rows().getFirst();
        assertThat(top.getFirst().label()).isEqualTo(expected.get("label").asString());
        JsonNode labels = expected.get("expected").get("labels");
        JsonNode probabilities = expected.get("expected").get("probabilities");
        assertThat(top).hasSize(labels.size());
        for (int i = 0; i < top.size(); i++) {
            assertThat(top.get(i).label()).isEqualTo(labels.get(i).asString());
            assertThat(top.get(i).probability()).isCloseTo(probabilities.get(i).asDouble(), within(1e-5));
        }
    }

    @Test
    void theFirstRunOfAModelIsColdAndTheNextWarm() throws Exception {
        InferenceEngine fresh = new InferenceEngine(JSON, 1);
        byte[] input = Files.readAllBytes(MODELS.resolve("digits/samples/digit-3.png"));
        ModelEntry digits = models.find("digits").orElseThrow();
        assertThat(fresh.isLoaded("digits")).isFalse();
        assertThat(fresh.run(digits, input).coldStart()).isTrue();
        assertThat(fresh.isLoaded("digits")).isTrue();
        assertThat(fresh.run(digits, input).coldStart()).isFalse();
        fresh.close();
        assertThat(fresh.isLoaded("digits")).isFalse();
    }

    @Test
    void aFileThatIsNotAnImageIsAnInvalidInputWithAPlainReason() {
        ModelEntry digits = models.find("digits").orElseThrow();
        assertThatThrownBy(() -> engine.run(digits, "hello, not a picture".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("not a PNG or JPEG image");
    }

    @Test
    void tabularRowsMissingAFeatureAreRejectedNamingIt() {
        ModelEntry iris = models.find("iris").orElseThrow();
        byte[] input = "{\"sepal_length\": 5.1, \"sepal_width\": 3.5}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> engine.run(iris, input))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("petal_length");
    }

    @Test
    void aTabularArrayIsScoredRowByRow() {
        ModelEntry iris = models.find("iris").orElseThrow();
        byte[] input = ("[{\"sepal_length\":5.1,\"sepal_width\":3.5,\"petal_length\":1.4,\"petal_width\":0.2},"
                        + "{\"sepal_length\":6.7,\"sepal_width\":3.0,\"petal_length\":5.2,\"petal_width\":2.3}]")
                .getBytes(StandardCharsets.UTF_8);
        Inference inference = engine.run(iris, input);
        assertThat(inference.rows()).hasSize(2);
        assertThat(inference.rows().get(0).getFirst().label()).isEqualTo("setosa");
        assertThat(inference.rows().get(1).getFirst().label()).isEqualTo("virginica");
    }

    @Test
    void csvRowsBecomeABatchWithColumnsFoundByTheirHeader() {
        ModelEntry iris = models.find("iris").orElseThrow();
        String csv = """
                id,petal_width,petal_length,sepal_width,sepal_length
                a,2.4,5.6,3.4,6.3
                b,0.2,1.4,3.5,5.1
                """;
        Inference inference = engine.run(iris, csv.getBytes(StandardCharsets.UTF_8));
        assertThat(inference.rows()).hasSize(2);
        assertThat(inference.rows().get(0).getFirst().label()).isEqualTo("virginica");
        assertThat(inference.rows().get(1).getFirst().label()).isEqualTo("setosa");

        assertThatThrownBy(() -> engine.run(iris, "sepal_length,sepal_width\n1,2\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("petal_length");
        assertThatThrownBy(() -> engine.run(
                        iris,
                        "sepal_length,sepal_width,petal_length,petal_width\n1,2,three,4\n"
                                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("three");
    }

    @Test
    void areaAveragingAnIntegerUpscaleRecoversTheOriginalPixels() {
        double[] small = {0, 64, 128, 255};
        double[] big = new double[16];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                big[y * 4 + x] = small[(y / 2) * 2 + x / 2];
            }
        }
        assertThat(ImageDecoder.areaAverage(big, 4, 4, 2, 2)).containsExactly(small);
    }
}
