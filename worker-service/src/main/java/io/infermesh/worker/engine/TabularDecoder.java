package io.infermesh.worker.engine;

import io.infermesh.contracts.ModelCard;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns tabular input into the model's input: JSON — one object (feature name to number) is one row, an array of such
 * objects is a batch — or CSV with a header line naming the columns, each further line a row of the batch. Every
 * feature of the card must be present and numeric; extra fields or columns are ignored.
 */
final class TabularDecoder {

    private final JsonMapper json;

    TabularDecoder(JsonMapper json) {
        this.json = json;
    }

    Tensor decode(byte[] bytes, ModelCard.Input spec) {
        String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).strip();
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1).strip();
        }
        if (!text.isEmpty() && text.charAt(0) != '{' && text.charAt(0) != '[') {
            return csv(text, spec);
        }
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

    /** CSV: a header naming the columns (any order, extra ones ignored), then one row per line; comma separated. */
    private static Tensor csv(String text, ModelCard.Input spec) {
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        if (lines.size() < 2) {
            throw new InvalidInputException("the input is neither JSON nor CSV with a header line and at least one row");
        }
        List<String> header = List.of(lines.getFirst().split(",", -1)).stream()
                .map(h -> h.strip().replaceAll("^\"|\"$", "")).toList();
        List<String> features = spec.features();
        int[] column = new int[features.size()];
        for (int f = 0; f < features.size(); f++) {
            column[f] = header.indexOf(features.get(f));
            if (column[f] < 0) {
                throw new InvalidInputException("the CSV header " + header + " has no column '" + features.get(f)
                        + "' (the model needs " + features + ")");
            }
        }
        int rows = lines.size() - 1;
        float[] data = new float[rows * features.size()];
        for (int r = 0; r < rows; r++) {
            String[] cells = lines.get(r + 1).split(",", -1);
            for (int f = 0; f < features.size(); f++) {
                String cell = column[f] < cells.length ? cells[column[f]].strip() : "";
                try {
                    data[r * features.size() + f] = Float.parseFloat(cell);
                } catch (NumberFormatException e) {
                    throw new InvalidInputException("CSV line " + (r + 2) + ": '" + features.get(f) + "' is '" + cell
                            + "', not a number");
                }
            }
        }
        return new Tensor(data, new long[] {rows, features.size()});
    }
}
