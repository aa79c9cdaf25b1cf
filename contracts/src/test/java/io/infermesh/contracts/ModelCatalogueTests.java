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
}
