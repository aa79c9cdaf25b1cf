package io.infermesh.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCatalogueTests {

    @Test
    void theRepositoryExampleModelsLoad() {
        var catalogue = ModelCatalogue.load(Path.of("../models"), "infermesh.router.models-dir");
        assertThat(catalogue.names()).contains("digits", "iris");
        assertThat(catalogue.find("digits").orElseThrow().resources().maxInputBytes()).isPositive();
    }

    @Test
    void aCardNamedDifferentlyFromItsFolderStopsStartUpNamingTheFile(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("digits"));
        Files.writeString(dir.resolve("digits/model.yaml"), "name: other\nartifact: model.onnx\n");
        assertThatThrownBy(() -> ModelCatalogue.load(dir, "infermesh.router.models-dir")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("model.yaml").hasMessageContaining("'other'");
    }

    @Test
    void anUnreadableCardStopsStartUp(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("broken"));
        Files.writeString(dir.resolve("broken/model.yaml"), "name: [unclosed\n");
        assertThatThrownBy(() -> ModelCatalogue.load(dir, "infermesh.router.models-dir")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot read model card");
    }

    @Test
    void aMissingCatalogueFolderSaysWhichPropertyToSet(@TempDir Path dir) {
        assertThatThrownBy(() -> ModelCatalogue.load(dir.resolve("absent"), "infermesh.router.models-dir"))
                .hasMessageContaining("infermesh.router.models-dir");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "{mode: cheapest}                                | placement.mode 'cheapest' is not one of",
        "{mode: lambda}                                  | needs placement.lambda.functionName",
        "{mode: lambda-batch, lambda: {functionName: f}} | needs placement.batch.jobQueue",
        "{mode: batch, batch: {jobQueue: q}}             | needs placement.batch.jobQueue and placement.batch.jobDefinition",
        "{mode: auto}                                    | needs placement.deadlineSeconds"})
    void aPlacementThatCannotWorkStopsStartUpNamingTheMissingField(String placement, String message,
            @TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("m"));
        Files.writeString(dir.resolve("m/model.yaml"), "name: m\nartifact: model.onnx\nplacement: " + placement + "\n");
        assertThatThrownBy(() -> ModelCatalogue.load(dir, "infermesh.router.models-dir"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("m/model.yaml")
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
        assertThat(ModelCatalogue.load(dir, "x").find("m").orElseThrow().placement().deadlineSeconds()).isEqualTo(60);
    }
}
