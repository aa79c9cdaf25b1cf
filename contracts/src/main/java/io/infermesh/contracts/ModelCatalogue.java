package io.infermesh.contracts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The model catalogue: the model cards read from {@code <modelsDir>/<name>/model.yaml}. A card that cannot be read, or
 * whose name does not match its folder, stops start-up with a message naming the file: a mesh that silently lacks a
 * model would fail every job for it.
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
            throw new IllegalStateException("model catalogue folder " + modelsDir.toAbsolutePath()
                    + " does not exist (set " + property + ")");
        }
        YAMLMapper yaml = YAMLMapper.builder().build();
        Map<String, ModelCard> cards = new TreeMap<>();
        try (Stream<Path> folders = Files.list(modelsDir)) {
            for (Path card : folders.map(f -> f.resolve("model.yaml")).filter(Files::isRegularFile).toList()) {
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
            throw new IllegalStateException("model card " + file + " has no valid name (lower-case letters, digits, '-')");
        }
        if (!card.name().equals(folder)) {
            throw new IllegalStateException("model card " + file + " is named '" + card.name()
                    + "' but lives in folder '" + folder + "'");
        }
        String problem = placementProblem(card.placement());
        if (problem != null) {
            throw new IllegalStateException("model card " + file + ": " + problem);
        }
        return card;
    }

    public Optional<ModelCard> find(String model) {
        return Optional.ofNullable(cards.get(model));
    }

    /** The names of all models, sorted. */
    public java.util.Set<String> names() {
        return new java.util.TreeSet<>(cards.keySet());
    }

    /** What is wrong with a card's placement (the schema's rules), or null: a typo fails start-up, not every job. */
    static String placementProblem(ModelCard.Placement placement) {
        if (placement == null || placement.mode() == null) {
            return null;
        }
        String mode = placement.mode();
        if (!java.util.List.of("onprem", "lambda", "batch", "lambda-batch", "auto").contains(mode)) {
            return "placement.mode '" + mode + "' is not one of onprem, lambda, batch, lambda-batch, auto";
        }
        boolean function = placement.lambda() != null && placement.lambda().functionName() != null
                && !placement.lambda().functionName().isBlank();
        boolean queue = placement.batch() != null && placement.batch().jobQueue() != null
                && !placement.batch().jobQueue().isBlank() && placement.batch().jobDefinition() != null
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
