package io.infermesh.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The fraud example's samples and what train_fraud.py computed for them, for tests of every way to run the engine. */
public final class FraudSamples {

    public static final Path DIR = Path.of("../models/fraud/samples");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private FraudSamples() {}

    /**
     * Asserts that an answer ({@code result.json}'s: the first row's labels, probabilities and decision at the top,
     * every row's under {@code rows} for a batch) is what Python computed for the sample, within 1e-4.
     */
    public static void assertAnswerMatches(JsonNode answer, String sample) {
        JsonNode expected =
                JSON.readTree(DIR.resolve("expected.json").toFile()).get(sample).get("rows");
        if (expected.size() > 1) {
            assertThat(answer.get("rows"))
                    .as("one answer per row of %s", sample)
                    .hasSize(expected.size());
        } else {
            assertThat(answer.has("rows")).as("a single record has no rows").isFalse();
        }
        for (int r = 0; r < expected.size(); r++) {
            JsonNode row = expected.size() > 1 ? answer.get("rows").get(r) : answer;
            JsonNode want = expected.get(r);
            assertThat(row.get("labels")).as("%s row %d labels", sample, r).isEqualTo(want.get("labels"));
            assertThat(row.get("decision").asString())
                    .as("%s row %d decision", sample, r)
                    .isEqualTo(want.get("decision").asString());
            for (int i = 0; i < want.get("probabilities").size(); i++) {
                assertThat(row.get("probabilities").get(i).asDouble())
                        .as("%s row %d probability %d", sample, r, i)
                        .isCloseTo(want.get("probabilities").get(i).asDouble(), within(1e-4));
            }
        }
        if (expected.size() > 1) {
            assertThat(answer.get("decision"))
                    .as("the top level repeats the first row")
                    .isEqualTo(answer.get("rows").get(0).get("decision"));
        }
    }
}
