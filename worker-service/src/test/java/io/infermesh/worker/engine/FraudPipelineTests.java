package io.infermesh.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.infermesh.contracts.Prediction;
import io.infermesh.worker.catalogue.WorkerModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The seed-2 fraud pipeline (impute → encode → scale → MLP → softmax → threshold) on the real ONNX Runtime: every
 * sample row gets the probabilities and decision that train_fraud.py computed in Python with the same steps.
 */
class FraudPipelineTests {

    static final Path FRAUD = Path.of("../models/fraud");
    static final JsonMapper JSON = JsonMapper.builder().build();
    static ModelEntry fraud;
    static InferenceEngine engine;

    @BeforeAll
    static void load() {
        fraud = WorkerModels.load(Path.of("../models"), List.of("fraud"))
                .find("fraud")
                .orElseThrow();
        engine = new InferenceEngine(JSON, 1);
    }

    @AfterAll
    static void release() {
        engine.close();
    }

    private static Inference run(String input) {
        return engine.run(fraud, input.getBytes(StandardCharsets.UTF_8));
    }

    private static double pFraud(List<Prediction> row) {
        return row.stream()
                .filter(p -> p.label().equals("fraud"))
                .findFirst()
                .orElseThrow()
                .probability();
    }

    @ParameterizedTest
    @ValueSource(strings = {"legit.json", "suspicious.json", "batch.json", "transactions.csv"})
    void everySampleRowGetsThePythonProbabilitiesAndDecision(String file) throws Exception {
        JsonNode expected = JSON.readTree(FRAUD.resolve("samples/expected.json").toFile())
                .get(file)
                .get("rows");

        Inference inference =
                engine.run(fraud, Files.readAllBytes(FRAUD.resolve("samples").resolve(file)));
        Map<String, Object> answer = ResultDocument.answer(fraud, inference);

        assertThat(inference.rows()).hasSize(expected.size());
        for (int r = 0; r < expected.size(); r++) {
            List<Prediction> row = inference.rows().get(r);
            JsonNode want = expected.get(r);
            for (int i = 0; i < row.size(); i++) {
                assertThat(row.get(i).label())
                        .as("row %d label %d", r, i)
                        .isEqualTo(want.get("labels").get(i).asString());
                assertThat(row.get(i).probability())
                        .as("row %d p(%s)", r, row.get(i).label())
                        .isCloseTo(want.get("probabilities").get(i).asDouble(), within(1e-4));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> part =
                    expected.size() > 1 ? ((List<Map<String, Object>>) answer.get("rows")).get(r) : answer;
            assertThat(part.get("decision"))
                    .as("row %d decision", r)
                    .isEqualTo(want.get("decision").asString());
        }
    }

    private static final String COMPLETE = """
            {"amount": 25.89, "hour": 15, "account_age_days": 653, "n_tx_24h": 4, "distance_km": 7.5,
             "channel": "app", "merchant_category": "grocery"}""";

    @Test
    void aMissingNullOrEmptyImputedFieldTakesTheCardsValue() {
        // the card imputes distance_km with 7.5, the training split's median
        double complete = pFraud(run(COMPLETE).rows().getFirst());
        for (String record : List.of(
                COMPLETE.replace("\"distance_km\": 7.5,", ""),
                COMPLETE.replace("7.5", "null"),
                COMPLETE.replace("7.5", "\"\""))) {
            assertThat(pFraud(run(record).rows().getFirst())).as(record).isEqualTo(complete);
        }
        assertThat(pFraud(run(COMPLETE.replace("7.5", "800")).rows().getFirst()))
                .as("the value counts")
                .isNotEqualTo(complete);
    }

    @Test
    void anUnseenCategoryCountsAsTheUnknownBucket() {
        // "other" is the card's unknown bucket for merchant_category; any value it does not list lands there
        double unseen =
                pFraud(run(COMPLETE.replace("grocery", "pet-insurance")).rows().getFirst());
        double other = pFraud(run(COMPLETE.replace("grocery", "other")).rows().getFirst());
        double missing = pFraud(run(COMPLETE.replace("\"merchant_category\": \"grocery\"", "\"x\": 1"))
                .rows()
                .getFirst());
        assertThat(unseen)
                .isEqualTo(other)
                .isEqualTo(missing)
                .isNotEqualTo(pFraud(run(COMPLETE).rows().getFirst()));
    }

    @Test
    void aRequiredFieldWithoutAnImputedValueIsRejectedNamingIt() {
        assertThatThrownBy(() -> run(COMPLETE.replace("\"channel\": \"app\"", "\"chanel\": \"app\"")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("'channel' is missing, and the model has no value to use in its place");
        assertThatThrownBy(() -> run("[" + COMPLETE + "," + COMPLETE.replace("\"hour\": 15,", "") + "]"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("record 2 of the array: 'hour'");
        assertThatThrownBy(() -> run(COMPLETE.replace("25.89", "\"a lot\"")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'amount' is 'a lot', not a number");
    }

    @Test
    void aCsvWithoutARequiredColumnOrCellNamesTheColumnAndTheLine() {
        assertThatThrownBy(() -> run("amount,hour,merchant_category\n12.5,3,fuel\n"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("CSV line 1")
                .hasMessageContaining("no column 'channel'");
        assertThatThrownBy(() -> run("hour,channel\n3,web\n4,\n"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("CSV line 3: 'channel' is missing");
        // a CSV with only the required columns: everything else is filled in
        assertThat(run("hour,channel\n3,web\n14,pos\n").rows()).hasSize(2);
    }

    @Test
    void eachRowSaysWhetherItCrossedTheThreshold() {
        // the card decides "fraud" from p(fraud) >= 0.78; expected.json holds rows on both sides
        Inference inference = run(COMPLETE);
        Map<String, Object> answer = ResultDocument.answer(fraud, inference);
        double p = pFraud(inference.rows().getFirst());
        assertThat(answer.get("decision"))
                .isEqualTo(p >= fraud.card().output().threshold().at() ? "fraud" : "legit");
        assertThat(answer).containsKeys("labels", "probabilities").doesNotContainKey("links");
    }
}
