package io.infermesh.contracts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The model catalogue: the model cards read from {@code <modelsDir>/<name>/model.yaml}. A card that cannot be read,
 * whose name does not match its folder, or whose placement, preprocessing steps or threshold cannot work, stops
 * start-up with a message naming the file and the part: a mesh that silently lacks a model would fail every job for it.
 */
public final class ModelCatalogue {

    private final Map<String, ModelCard> cards;

    private ModelCatalogue(Map<String, ModelCard> cards) {
        this.cards = Map.copyOf(cards);
    }

    /** A catalogue without models. */
    public static ModelCatalogue empty() {
        return new ModelCatalogue(Map.of());
    }

    /**
     * Reads every {@code <modelsDir>/<name>/model.yaml}.
     *
     * @param property the configuration property that names the folder, for the error message
     */
    public static ModelCatalogue load(Path modelsDir, String property) {
        if (!Files.isDirectory(modelsDir)) {
            throw new IllegalStateException(
                    "model catalogue folder " + modelsDir.toAbsolutePath() + " does not exist (set " + property + ")");
        }
        YAMLMapper yaml = YAMLMapper.builder().build();
        Map<String, ModelCard> cards = new TreeMap<>();
        try (Stream<Path> folders = Files.list(modelsDir)) {
            for (Path card : folders.map(f -> f.resolve("model.yaml"))
                    .filter(Files::isRegularFile)
                    .toList()) {
                ModelCard model = read(yaml, card);
                cards.put(model.name(), model);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + modelsDir, e);
        }
        return new ModelCatalogue(cards);
    }

    private static ModelCard read(YAMLMapper yaml, Path file) {
        ModelCard card;
        try {
            card = yaml.readValue(file.toFile(), ModelCard.class);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot read model card " + file + ": " + e.getOriginalMessage(), e);
        }
        String folder = file.getParent().getFileName().toString();
        if (card.name() == null || !Topics.MODEL_NAME.matcher(card.name()).matches()) {
            throw new IllegalStateException(
                    "model card " + file + " has no valid name (lower-case letters, digits, '-')");
        }
        if (!card.name().equals(folder)) {
            throw new IllegalStateException(
                    "model card " + file + " is named '" + card.name() + "' but lives in folder '" + folder + "'");
        }
        String problem = cardProblem(card);
        if (problem != null) {
            throw new IllegalStateException("model card " + file + ": " + problem);
        }
        return card;
    }

    /**
     * What is wrong with a card (its placement, its input's steps and limits, its output's threshold), or null. Every
     * reader of cards can ask, so that a card that cannot work fails where it is loaded, not at its first job.
     */
    public static String cardProblem(ModelCard card) {
        String problem = placementProblem(card.placement());
        if (problem == null && card.input() != null) {
            problem = inputProblem(card.input());
        }
        if (problem == null && card.output() != null) {
            problem = thresholdProblem(card.output());
        }
        return problem;
    }

    /** What is wrong with an input section (its steps, its pixel limit), or null. */
    public static String inputProblem(ModelCard.Input input) {
        if (input.maxPixels() != null && (input.maxPixels() < 1 || !"image".equals(input.kind()))) {
            return "input.maxPixels is for image models and must be a positive number of pixels, got "
                    + input.maxPixels();
        }
        List<ModelCard.Step> steps = input.stepsOrNone();
        if (steps.isEmpty()) {
            return null;
        }
        if (!"tabular".equals(input.kind())
                || input.features() == null
                || input.features().isEmpty()) {
            return "input.steps are for tabular models with input.features";
        }
        Set<String> encodedLater = new HashSet<>();
        steps.stream()
                .filter(s -> s != null && s.encode() != null)
                .forEach(s -> encodedLater.addAll(s.encode().keySet()));
        List<String> columns = new ArrayList<>(input.features());
        Set<String> text = new HashSet<>(encodedLater); // columns that hold text until they are encoded
        for (int i = 0; i < steps.size(); i++) {
            ModelCard.Step step = steps.get(i);
            String where = "input.steps[" + i + "]";
            if (step != null && step.unknown() != null && !step.unknown().isEmpty()) {
                return where + " has an unknown step '"
                        + String.join("', '", step.unknown().keySet()) + "' (steps: impute, encode, scale)";
            }
            int kinds = step == null
                    ? 0
                    : (step.impute() != null ? 1 : 0)
                            + (step.encode() != null ? 1 : 0)
                            + (step.scale() != null ? 1 : 0);
            if (kinds != 1) {
                return where + (kinds == 0 ? " is empty" : " names " + kinds + " steps; write one step per list item")
                        + " (steps: impute, encode, scale)";
            }
            where += " (" + step.kind() + ")";
            String problem = switch (step.kind()) {
                case "impute" -> imputeProblem(step.impute(), columns, text, input.features());
                case "encode" -> encodeProblem(step.encode(), columns, text);
                default -> scaleProblem(step.scale(), columns, text);
            };
            if (problem != null) {
                return where + ": " + problem;
            }
        }
        return null;
    }

    private static String imputeProblem(
            Map<String, Object> impute, List<String> columns, Set<String> text, List<String> features) {
        if (impute.isEmpty()) {
            return "names no feature";
        }
        for (Map.Entry<String, Object> e : impute.entrySet()) {
            if (!features.contains(e.getKey())) {
                return "'" + e.getKey() + "' is not one of the features " + features;
            }
            if (!columns.contains(e.getKey())) {
                return "'" + e.getKey() + "' is already encoded; impute it before the encode step";
            }
            Object value = e.getValue();
            if (!(value instanceof Number || value instanceof String)) {
                return "'" + e.getKey() + "' needs a number or a text value, got " + value;
            }
            if (value instanceof String s && !text.contains(e.getKey())) {
                return "'" + e.getKey() + "' is a number column (no encode step encodes it) but is imputed with"
                        + " the text '" + s + "'";
            }
        }
        return null;
    }

    private static String encodeProblem(
            Map<String, ModelCard.Encoding> encode, List<String> columns, Set<String> text) {
        if (encode.isEmpty()) {
            return "names no feature";
        }
        for (Map.Entry<String, ModelCard.Encoding> e : encode.entrySet()) {
            String feature = e.getKey();
            ModelCard.Encoding encoding = e.getValue();
            if (!columns.contains(feature) || !text.contains(feature)) {
                return "'" + feature + "' is not a feature left to encode (columns at this step: " + columns + ")";
            }
            if (encoding != null
                    && encoding.others() != null
                    && !encoding.others().isEmpty()) {
                return "'" + feature + "' has an unknown field '"
                        + String.join("', '", encoding.others().keySet()) + "' (fields: values, unknown)";
            }
            if (encoding == null
                    || encoding.values() == null
                    || encoding.values().isEmpty()) {
                return "'" + feature + "' needs values (the categories, in column order)";
            }
            if (encoding.values().stream().anyMatch(v -> v == null || v.isBlank())
                    || new HashSet<>(encoding.values()).size()
                            != encoding.values().size()) {
                return "the values of '" + feature + "' must be distinct and not empty, got " + encoding.values();
            }
            if (encoding.unknown() != null
                    && (encoding.unknown().isBlank() || encoding.values().contains(encoding.unknown()))) {
                return "the unknown bucket '" + encoding.unknown() + "' of '" + feature
                        + "' must be a name that is not one of its values";
            }
            int at = columns.indexOf(feature);
            columns.remove(at);
            columns.addAll(at, encoding.columns(feature));
            text.remove(feature);
        }
        return null;
    }

    private static String scaleProblem(ModelCard.Scaling scale, List<String> columns, Set<String> text) {
        if (scale.others() != null && !scale.others().isEmpty()) {
            return "unknown field '" + String.join("', '", scale.others().keySet()) + "' (fields: mean, std)";
        }
        if (scale.mean() == null
                || scale.std() == null
                || !scale.mean().keySet().equals(scale.std().keySet())
                || scale.mean().isEmpty()) {
            return "needs mean and std for the same columns";
        }
        for (String column : scale.mean().keySet()) {
            Double mean = scale.mean().get(column);
            Double std = scale.std().get(column);
            if (!columns.contains(column)) {
                return "'" + column + "' is not a column at this step (columns: " + columns + ")";
            }
            if (text.contains(column)) {
                return "'" + column + "' holds text until it is encoded; scale it after the encode step";
            }
            if (mean == null || std == null || !Double.isFinite(mean) || !Double.isFinite(std) || std <= 0) {
                return "'" + column + "' needs a finite mean and a positive std, got mean " + mean + ", std " + std;
            }
        }
        return null;
    }

    static String thresholdProblem(ModelCard.Output output) {
        ModelCard.Threshold threshold = output.threshold();
        if (threshold == null) {
            return null;
        }
        List<String> labels = output.labels() == null ? List.of() : output.labels();
        if (threshold.others() != null && !threshold.others().isEmpty()) {
            return "output.threshold has an unknown field '"
                    + String.join("', '", threshold.others().keySet()) + "' (fields: label, at)";
        }
        if (threshold.label() == null || !labels.contains(threshold.label())) {
            return "output.threshold.label '" + threshold.label() + "' is not one of the labels " + labels;
        }
        if (threshold.at() == null || !(threshold.at() >= 0 && threshold.at() <= 1)) {
            return "output.threshold.at must be a probability from 0 to 1, got " + threshold.at();
        }
        int topK = output.topK() == null ? Math.min(5, labels.size()) : output.topK();
        if (topK < labels.size()) {
            return "output.threshold needs every label's probability: set output.topK to " + labels.size() + " (it is "
                    + topK + ")";
        }
        return null;
    }

    public Optional<ModelCard> find(String model) {
        return Optional.ofNullable(cards.get(model));
    }

    /** The names of all models, sorted. */
    public Set<String> names() {
        return new TreeSet<>(cards.keySet());
    }

    /** What is wrong with a card's placement (the schema's rules), or null: a typo fails start-up, not every job. */
    static String placementProblem(ModelCard.Placement placement) {
        if (placement == null || placement.mode() == null) {
            return null;
        }
        String mode = placement.mode();
        if (!List.of("onprem", "lambda", "batch", "lambda-batch", "auto").contains(mode)) {
            return "placement.mode '" + mode + "' is not one of onprem, lambda, batch, lambda-batch, auto";
        }
        boolean function = placement.lambda() != null
                && placement.lambda().functionName() != null
                && !placement.lambda().functionName().isBlank();
        boolean queue = placement.batch() != null
                && placement.batch().jobQueue() != null
                && !placement.batch().jobQueue().isBlank()
                && placement.batch().jobDefinition() != null
                && !placement.batch().jobDefinition().isBlank();
        if ((mode.equals("lambda") || mode.equals("lambda-batch")) && !function) {
            return "placement.mode '" + mode + "' needs placement.lambda.functionName";
        }
        if ((mode.equals("batch") || mode.equals("lambda-batch")) && !queue) {
            return "placement.mode '" + mode + "' needs placement.batch.jobQueue and placement.batch.jobDefinition";
        }
        if (mode.equals("auto") && (placement.deadlineSeconds() == null || placement.deadlineSeconds() < 1)) {
            return "placement.mode 'auto' needs placement.deadlineSeconds (a positive number of seconds)";
        }
        return null;
    }
}
