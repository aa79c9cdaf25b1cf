package io.infermesh.worker.engine;

import io.infermesh.contracts.ModelCard;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns tabular JSON into the model's input: one object (feature name to number) is one row, an array of such
 * objects is a batch. Every feature of the card must be present and numeric; extra fields are ignored.
 */
final class TabularDecoder {

    private final JsonMapper json;

    TabularDecoder(JsonMapper json) {
        this.json = json;
    }

    Tensor decode(byte[] bytes, ModelCard.Input spec) {
        JsonNode root;
        try {
            root = json.readTree(bytes);
        } catch (JacksonException e) {
            throw new InvalidInputException("the input is not valid JSON: " + e.getOriginalMessage());
        }
        List<JsonNode> rows = new ArrayList<>();
        if (root != null && root.isArray()) {
            root.forEach(rows::add);
        } else if (root != null && root.isObject()) {
            rows.add(root);
        }
        if (rows.isEmpty()) {
            throw new InvalidInputException("the input must be a JSON object of features, or an array of them");
        }
        List<String> features = spec.features();
        float[] data = new float[rows.size() * features.size()];
        for (int r = 0; r < rows.size(); r++) {
            JsonNode row = rows.get(r);
            if (!row.isObject()) {
                throw new InvalidInputException("row " + r + " is not a JSON object of features");
            }
            for (int f = 0; f < features.size(); f++) {
                JsonNode value = row.get(features.get(f));
                if (value == null || !value.isNumber()) {
                    throw new InvalidInputException("row " + r + ": feature '" + features.get(f)
                            + "' is missing or not a number (the model needs " + features + ")");
                }
                data[r * features.size() + f] = value.floatValue();
            }
        }
        return new Tensor(data, new long[] {rows.size(), features.size()});
    }
}
