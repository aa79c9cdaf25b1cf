package io.infermesh.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The repository's model cards are what the published card schema says a card is. */
class ModelCardSchemaTests {

    static List<Path> cards() throws Exception {
        try (Stream<Path> folders = Files.list(Path.of("../models"))) {
            return folders.map(f -> f.resolve("model.yaml"))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cards")
    void everyExampleCardMatchesTheSchema(Path card) throws Exception {
        JsonSchema schema;
        try (InputStream in = getClass().getResourceAsStream("/schemas/model-card.schema.json")) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(in);
        }
        String json = YAMLMapper.builder().build().readTree(card.toFile()).toString();
        var node = new ObjectMapper().readTree(json);
        assertThat(schema.validate(node)).as("schema violations of %s", card).isEmpty();
    }
}
