package io.infermesh.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelCatalogueTests {

    @Test
    void theRepositoryExampleModelsLoad() {
        var catalogue = ModelCatalogue.load(Path.of("../models"), "infermesh.router.models-dir");
        assertThat(catalogue.names()).contains("digits", "iris");
        assertThat(catalogue.find("digits").orElseThrow().resources().maxInputBytes())
                .isPositive();
    }

    @Test
    void aCardNamedDifferentlyFromItsFolderStopsStartUpNamingTheFile(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("digits"));
        Files.writeString(dir.resolve("digits/model.yaml"), "name: other\nartifact: model.onnx\n");
        assertThatThrownBy(() -> ModelCatalogue.load(dir, "infermesh.router.models-dir"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("model.yaml")
                .hasMessageContaining("'other'");
    }

    @Test
    void anUnreadableCardStopsStartUp(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("broken"));
        Files.writeString(dir.resolve("broken/model.yaml"), "name: [unclosed\n");
        assertThatThrownBy(() -> ModelCatalogue.load(dir, "infermesh.router.models-dir"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot read model card");
    }

    @Test
    void aMissingCatalogueFolderSaysWhichPropertyToSet(@TempDir Path dir) {
        assertThatThrownBy(() -> ModelCatalogue.load(dir.resolve("absent"), "infermesh.router.models-dir"))
                .hasMessageContaining("infermesh.router.models-dir");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{mode: cheapest}                                | placement.mode 'cheapest' is not one of",
                "{mode: lambda}                                  | needs placement.lambda.functionName",
                "{mode: lambda-batch, lambda: {functionName: f}} | needs placement.batch.jobQueue",
                "{mode: batch, batch: {jobQueue: q}}             | needs placement.batch.jobQueue and placement.batch.jobDefinition",
                "{mode: auto}                                    | needs placement.deadlineSeconds"
            })
    void aPlacementThatCannotWorkStopsStartUpNamingTheMissingField(String placement, String message, @TempDir Path dir)
            throws Exception {
        Files.createDirectories(dir.resolve("m"));
        Files.writeString(dir.resolve("m/model.yaml"), "name: m\nartifact: model.onnx\nplacement: " + placement + "\n");
        assertThatThrownBy(() -> ModelCatalogue.load(dir, "infermesh.router.models-dir"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("m/model.yaml")
                .hasMessageContaining(message);
    }

    @Test
    void aCompletePlacementLoads(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("m"));
        Files.writeString(dir.resolve("m/model.yaml"), """
                name: m
                artifact: model.onnx
                placement: {mode: auto, deadlineSeconds: 60, lambda: {functionName: f}, batch: {jobQueue: q, jobDefinition: d}}
                """);
        assertThat(ModelCatalogue.load(dir, "x")
                        .find("m")
                        .orElseThrow()
                        .placement()
                        .deadlineSeconds())
                .isEqualTo(60);
    }

    @Test
    void theFraudCardDeclaresItsStepsAndTheTensorColumnsFollowFromThem() {
        ModelCard fraud =
                ModelCatalogue.load(Path.of("../models"), "x").find("fraud").orElseThrow();
        assertThat(fraud.input().stepsOrNone())
                .extracting(ModelCard.Step::kind)
                .containsExactly("impute", "encode", "scale");
        assertThat(fraud.input().tensorColumns())
                .startsWith(
                        "amount",
                        "hour",
                        "account_age_days",
                        "n_tx_24h",
                        "distance_km",
                        "channel=web",
                        "channel=app",
                        "channel=pos",
                        "channel=other")
                .endsWith("merchant_category=other")
                .hasSize(17);
        assertThat(fraud.output().threshold().label()).isEqualTo("fraud");
        ModelCard iris =
                ModelCatalogue.load(Path.of("../models"), "x").find("iris").orElseThrow();
        assertThat(iris.input().tensorColumns())
                .as("no steps: the features are the columns")
                .isEqualTo(iris.input().features());
    }

    private static final String TABULAR = """
            name: m
            artifact: model.onnx
            input:
              kind: tabular
              features: [amount, channel]
            """;

    @Test
    void anUnknownStepStopsStartUpNamingTheCardAndTheStep(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("m"));
        Files.writeString(dir.resolve("m/model.yaml"), TABULAR + """
                  steps:
                    - impute: {amount: 1.0}
                    - normalize: {amount: 2.0}
                """);
        assertThatThrownBy(() -> ModelCatalogue.load(dir, "x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("m/model.yaml")
                .hasMessageContaining("input.steps[1] has an unknown step 'normalize'")
                .hasMessageContaining("impute, encode, scale");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "[{impute: {amount: 1, colour: red}}]                         | input.steps[0] (impute): 'colour' is not one of the features",
                "[{impute: {amount: lots}}]                                   | input.steps[0] (impute): 'amount' is a number column",
                "[{encode: {channel: {values: [web, app]}}}, {impute: {channel: web}}] | input.steps[1] (impute): 'channel' is already encoded",
                "[{encode: {channel: {values: []}}}]                          | input.steps[0] (encode): 'channel' needs values",
                "[{encode: {channel: {values: [web, web]}}}]                  | must be distinct",
                "[{encode: {channel: {values: [web], unknown: web}}}]         | the unknown bucket 'web'",
                "[{encode: {amount: {values: [web]}}}, {encode: {amount: {values: [x]}}}] | input.steps[1] (encode): 'amount' is not a feature left to encode",
                "[{scale: {mean: {amount: 1}, std: {amount: 0}}}]             | input.steps[0] (scale): 'amount' needs a finite mean and a positive std",
                "[{scale: {mean: {amount: 1}, std: {hour: 2}}}]               | needs mean and std for the same columns",
                "[{scale: {mean: {channel: 1}, std: {channel: 2}}}, {encode: {channel: {values: [web]}}}] | 'channel' holds text until it is encoded",
                "[{scale: {mean: {channel=app: 1}, std: {channel=app: 2}}}]   | 'channel=app' is not a column at this step",
                "[{impute: {amount: 1}, scale: {mean: {amount: 1}, std: {amount: 2}}}] | input.steps[0] names 2 steps",
                "[{encode: {channel: {values: [web], unkown: other}}}]        | input.steps[0] (encode): 'channel' has an unknown field 'unkown'"
            })
    void stepsThatCannotWorkStopStartUpNamingTheStep(String steps, String message, @TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("m"));
        Files.writeString(dir.resolve("m/model.yaml"), TABULAR + "  steps: " + steps + "\n");
        assertThatThrownBy(() -> ModelCatalogue.load(dir, "x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("m/model.yaml")
                .hasMessageContaining(message);
    }

    @Test
    void consistentStepsLoad(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("m"));
        Files.writeString(dir.resolve("m/model.yaml"), TABULAR + """
                  steps:
                    - impute: {amount: 12.5, channel: other}
                    - encode: {channel: {values: [web, app], unknown: other}}
                    - scale: {mean: {amount: 10, channel=web: 0.5}, std: {amount: 2, channel=web: 0.5}}
                """);
        assertThat(ModelCatalogue.load(dir, "x").find("m").orElseThrow().input().tensorColumns())
                .containsExactly("amount", "channel=web", "channel=app", "channel=other");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "{labels: [legit, fraud], topK: 2, threshold: {label: frod, at: 0.5}} | output.threshold.label 'frod' is not one of the labels",
                "{labels: [legit, fraud], topK: 2, threshold: {label: fraud, at: 1.5}} | output.threshold.at must be a probability",
                "{labels: [a, b, c], topK: 2, threshold: {label: a, at: 0.5}}         | set output.topK to 3"
            })
    void aThresholdThatCannotBeDecidedStopsStartUp(String output, String message, @TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("m"));
        Files.writeString(dir.resolve("m/model.yaml"), TABULAR + "output: " + output + "\n");
        assertThatThrownBy(() -> ModelCatalogue.load(dir, "x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("m/model.yaml")
                .hasMessageContaining(message);
    }

    @Test
    void aPixelLimitIsForImageModelsAndDefaultsToFortyMegapixels(@TempDir Path dir) throws Exception {
        assertThat(ModelCatalogue.load(Path.of("../models"), "x")
                        .find("digits")
                        .orElseThrow()
                        .input()
                        .maxPixelsOrDefault())
                .isEqualTo(40_000_000L);
        Files.createDirectories(dir.resolve("m"));
        Files.writeString(dir.resolve("m/model.yaml"), TABULAR + "  maxPixels: 1000\n");
        assertThatThrownBy(() -> ModelCatalogue.load(dir, "x")).hasMessageContaining("input.maxPixels is for image");
    }
}
