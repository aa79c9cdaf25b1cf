package io.infermesh.worker.engine;

import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.ModelCatalogue;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A card's declared tabular steps, executed on one row at a time: {@code impute} fills absent, null or empty fields,
 * {@code encode} turns a text field into one-hot columns, {@code scale} standardises columns; the row then becomes
 * the tensor's columns in the card's order ({@link ModelCard.Input#tensorColumns()}). Without steps every feature is
 * a required number, as before. Arithmetic in double, cast to float at the end, as the training script's reference.
 */
final class TabularPipeline {

    private final List<String> features;
    private final List<ModelCard.Step> steps;
    private final List<String> columns;
    private final Set<String> imputed = new HashSet<>();

    TabularPipeline(ModelCard.Input spec) {
        if (spec.features() == null || spec.features().isEmpty()) {
            throw new ModelFailureException("the model card's tabular input has no features", null);
        }
        String problem = ModelCatalogue.inputProblem(spec);
        if (problem != null) {
            throw new ModelFailureException("the model card cannot work: " + problem, null);
        }
        this.features = spec.features();
        this.steps = spec.stepsOrNone();
        this.columns = spec.tensorColumns();
        steps.stream()
                .filter(s -> s.impute() != null)
                .forEach(s -> imputed.addAll(s.impute().keySet()));
    }

    List<String> features() {
        return features;
    }

    int width() {
        return columns.size();
    }

    /** Whether a feature may be absent from every row (its whole CSV column missing): the card imputes it. */
    boolean imputes(String feature) {
        return imputed.contains(feature);
    }

    /**
     * Writes one row's tensor columns.
     *
     * @param raw feature → its value as text (JSON numbers in their JSON spelling), null when absent, null or empty
     * @param where how a person finds the row ({@code "CSV line 3: "}), or empty for a single record
     */
    void row(Map<String, String> raw, float[] into, int offset, String where) {
        Map<String, Object> row = new HashMap<>(raw);
        for (ModelCard.Step step : steps) {
            if (step.impute() != null) {
                step.impute().forEach((feature, value) -> {
                    if (row.get(feature) == null) {
                        row.put(feature, value instanceof Number n ? (Object) n.doubleValue() : value.toString());
                    }
                });
            } else if (step.encode() != null) {
                step.encode().forEach((feature, encoding) -> encode(row, feature, encoding, where));
            } else if (step.scale() != null) {
                step.scale()
                        .mean()
                        .forEach((column, mean) -> row.put(
                                column,
                                (number(row, column, where) - mean)
                                        / step.scale().std().get(column)));
            }
        }
        for (int c = 0; c < columns.size(); c++) {
            into[offset + c] = (float) number(row, columns.get(c), where);
        }
    }

    private void encode(Map<String, Object> row, String feature, ModelCard.Encoding encoding, String where) {
        Object value = row.remove(feature);
        if (value == null) {
            throw missing(feature, where);
        }
        String text = value instanceof Double d ? plain(d) : value.toString().strip();
        boolean known = encoding.values().contains(text);
        if (!known && encoding.unknown() == null) {
            throw new InvalidInputException(where + "'" + feature + "' is '" + text
                    + "', which the model does not know (it knows " + String.join(", ", encoding.values()) + ")");
        }
        String hit = known ? text : encoding.unknown();
        for (String v : encoding.values()) {
            row.put(feature + "=" + v, v.equals(hit) ? 1.0 : 0.0);
        }
        if (encoding.unknown() != null) {
            row.put(feature + "=" + encoding.unknown(), known ? 0.0 : 1.0);
        }
    }

    private double number(Map<String, Object> row, String column, String where) {
        Object value = row.get(column);
        if (value == null) {
            throw missing(column, where);
        }
        if (value instanceof Double d) {
            return d;
        }
        String text = value.toString().strip();
        double parsed;
        try {
            parsed = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new InvalidInputException(where + "'" + column + "' is '" + text + "', not a number");
        }
        if (!Double.isFinite(parsed)) {
            throw new InvalidInputException(where + "'" + column + "' is '" + text + "', not a finite number");
        }
        return parsed;
    }

    private InvalidInputException missing(String feature, String where) {
        return new InvalidInputException(where + "'" + feature + "' is missing, and the model has no value to use in"
                + " its place (it needs "
                + String.join(
                        ", ",
                        features.stream().filter(f -> !imputed.contains(f)).toList()) + "; it fills in "
                + (imputed.isEmpty()
                        ? "nothing"
                        : String.join(", ", imputed.stream().sorted().toList())) + ")");
    }

    /** A category written as a JSON number: {@code 5411}, not {@code 5411.0}. */
    private static String plain(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
