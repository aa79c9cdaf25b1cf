package io.infermesh.worker.engine;

import io.infermesh.contracts.ModelCard;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns tabular input into the model's input: JSON — one object (feature name to value) is one row, an array of such
 * objects is a batch — or CSV with a header line naming the columns, each further line a row of the batch. The
 * card's declared steps ({@link TabularPipeline}) then fill in, encode and scale each row; without steps every
 * feature must be present and numeric. Extra fields or columns are ignored.
 */
final class TabularDecoder {

    private final JsonMapper json;
    /** One pipeline per card input, built (and its steps checked) once, not for every job. */
    private final Map<ModelCard.Input, TabularPipeline> pipelines =
            Collections.synchronizedMap(new IdentityHashMap<>());

    TabularDecoder(JsonMapper json) {
        this.json = json;
    }

    Tensor decode(byte[] bytes, ModelCard.Input spec) {
        TabularPipeline pipeline = pipelines.computeIfAbsent(spec, TabularPipeline::new);
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1).strip();
        }
        if (!text.isEmpty() && text.charAt(0) != '{' && text.charAt(0) != '[') {
            return csv(text, pipeline);
        }
        JsonNode root;
        try {
            root = json.readTree(bytes);
        } catch (JacksonException e) {
            // where, not the parser's wording: a person finds the place; the parser's text is no sentence
            var at = e.getLocation();
            throw new InvalidInputException(
                    "the input is not valid JSON"
                            + (at == null || at.getLineNr() < 1
                                    ? ""
                                    : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"),
                    e);
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
        int width = pipeline.width();
        float[] data = new float[rows.size() * width];
        for (int r = 0; r < rows.size(); r++) {
            String where = root.isArray() ? "record " + (r + 1) + " of the array: " : "";
            JsonNode row = rows.get(r);
            if (!row.isObject()) {
                throw new InvalidInputException(where + "not a JSON object of features");
            }
            Map<String, String> raw = new HashMap<>();
            for (String feature : pipeline.features()) {
                raw.put(feature, cell(row.get(feature), feature, where));
            }
            pipeline.row(raw, data, r * width, where);
        }
        return new Tensor(data, new long[] {rows.size(), width});
    }

    /** A JSON value as text: numbers in their JSON spelling, null for absent, null or empty. */
    private static String cell(JsonNode value, String feature, String where) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        if (value.isNumber() || value.isString()) {
            String text = value.asString().strip();
            return text.isEmpty() ? null : text;
        }
        throw new InvalidInputException(where + "'" + feature + "' is " + value + ", not a number or a text value");
    }

    /** CSV: a header naming the columns (any order, extra ones ignored), then one row per line; comma separated. */
    private static Tensor csv(String text, TabularPipeline pipeline) {
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        if (lines.size() < 2) {
            throw new InvalidInputException(
                    "the input is neither JSON nor CSV with a header line and at least one row");
        }
        List<String> header = List.of(lines.getFirst().split(",", -1)).stream()
                .map(TabularDecoder::unquote)
                .toList();
        List<String> features = pipeline.features();
        int[] column = new int[features.size()];
        for (int f = 0; f < features.size(); f++) {
            column[f] = header.indexOf(features.get(f));
            if (column[f] < 0 && !pipeline.imputes(features.get(f))) {
                throw new InvalidInputException("CSV line 1, the header " + header + ", has no column '"
                        + features.get(f) + "' (the model needs " + features + ")");
            }
        }
        int rows = lines.size() - 1;
        int width = pipeline.width();
        float[] data = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            String[] cells = lines.get(r + 1).split(",", -1);
            Map<String, String> raw = new HashMap<>();
            for (int f = 0; f < features.size(); f++) {
                String cell = column[f] >= 0 && column[f] < cells.length ? unquote(cells[column[f]]) : "";
                raw.put(features.get(f), cell.isEmpty() ? null : cell);
            }
            pipeline.row(raw, data, r * width, "CSV line " + (r + 2) + ": ");
        }
        return new Tensor(data, new long[] {rows, width});
    }

    private static String unquote(String cell) {
        return cell.strip().replaceAll("^\"|\"$", "");
    }
}
