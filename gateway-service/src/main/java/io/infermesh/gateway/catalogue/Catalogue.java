package io.infermesh.gateway.catalogue;

import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.ModelCatalogue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What the web application offers per model, read once from the cards: what it takes, its size limit, an example
 * input and the placements a person may choose. The cards have no {@code example} or {@code documentation} field, so
 * the example is the first sample in the card's {@code samples/} folder that the model takes, and the documentation
 * link is absent.
 */
public final class Catalogue {

    /** The placement choice that lets the card (and the router) decide; always offered, always first. */
    public static final String AUTO = "auto";

    /** Media types per input kind, as the worker reads them. */
    private static final Map<String, List<String>> CONTENT_TYPES = Map.of(
            "image", List.of("image/png", "image/jpeg"),
            "tabular", List.of("application/json", "text/csv"));

    private static final Map<String, String> BY_EXTENSION = Map.of(
            "png",
            "image/png",
            "jpg",
            "image/jpeg",
            "jpeg",
            "image/jpeg",
            "json",
            "application/json",
            "csv",
            "text/csv",
            "npy",
            "application/octet-stream");

    /**
     * A model as the web application shows it.
     *
     * @param name the model name
     * @param description what it does
     * @param input what it takes
     * @param maxInputBytes the largest upload it accepts (null: the card sets no limit)
     * @param example where its example input downloads from (null: none)
     * @param documentation a page about it (null: none)
     * @param placement where its jobs may run, and what a person may choose
     */
    public record Model(
            String name,
            String description,
            Input input,
            Long maxInputBytes,
            String example,
            String documentation,
            Placement placement) {}

    /**
     * @param kind {@code image} or {@code tabular}
     * @param contentTypes the media types the model reads
     */
    public record Input(String kind, List<String> contentTypes) {}

    /**
     * @param mode the card's placement mode
     * @param choices what a person may pick: {@value #AUTO} first, then the backends the mode allows
     */
    public record Placement(String mode, List<String> choices) {}

    private record Entry(Model model, Path example) {}

    private final Map<String, Entry> entries;

    private Catalogue(Map<String, Entry> entries) {
        this.entries = entries;
    }

    /** The catalogue of the cards in {@code modelsDir}. */
    public static Catalogue load(Path modelsDir) {
        ModelCatalogue cards = ModelCatalogue.load(modelsDir, "infermesh.gateway.models-dir");
        Map<String, Entry> entries = new TreeMap<>();
        for (String name : cards.names()) {
            ModelCard card = cards.find(name).orElseThrow();
            entries.put(name, entry(card, modelsDir.resolve(name)));
        }
        return new Catalogue(Map.copyOf(entries));
    }

    private static Entry entry(ModelCard card, Path folder) {
        String kind = card.input() == null ? null : card.input().kind();
        List<String> contentTypes = CONTENT_TYPES.getOrDefault(kind, List.of());
        Path example = example(folder.resolve("samples"), contentTypes);
        Long limit = card.maxInputBytes().isPresent() ? card.maxInputBytes().getAsLong() : null;
        String mode = card.placement() == null || card.placement().mode() == null
                ? "onprem"
                : card.placement().mode();
        Model model = new Model(
                card.name(),
                card.description(),
                new Input(kind, contentTypes),
                limit,
                example == null ? null : "/api/models/" + card.name() + "/example",
                null,
                new Placement(mode, choices(card, mode)));
        return new Entry(model, example);
    }

    /**
     * {@value #AUTO}, then what the router honours for the mode (ADR 0017): every backend the card configures for
     * {@code auto}, Lambda and Batch for {@code lambda-batch}, nothing more for a fixed mode (it has one backend).
     */
    static List<String> choices(ModelCard card, String mode) {
        List<String> choices = new ArrayList<>(List.of(AUTO));
        ModelCard.Placement placement = card.placement();
        boolean lambda = placement != null
                && placement.lambda() != null
                && placement.lambda().functionName() != null
                && !placement.lambda().functionName().isBlank();
        boolean batch = placement != null
                && placement.batch() != null
                && placement.batch().jobQueue() != null
                && !placement.batch().jobQueue().isBlank();
        switch (mode) {
            case "auto" -> {
                choices.add("onprem");
                if (lambda) {
                    choices.add("lambda");
                }
                if (batch) {
                    choices.add("batch");
                }
            }
            case "lambda-batch" -> choices.addAll(List.of("lambda", "batch"));
            default -> {}
        }
        return List.copyOf(choices);
    }

    /** The first sample (by name) the model takes, else the first sample at all; expected outputs are not inputs. */
    private static Path example(Path samples, List<String> contentTypes) {
        if (!Files.isDirectory(samples)) {
            return null;
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(samples)) {
            files = listing.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith("expected"))
                    .sorted(Comparator.comparing(f -> f.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + samples, e);
        }
        return files.stream()
                .filter(f -> contentTypes.contains(contentType(f)))
                .findFirst()
                .orElse(files.isEmpty() ? null : files.getFirst());
    }

    /** The media type of a sample file, by its extension. */
    static String contentType(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String extension = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return BY_EXTENSION.getOrDefault(extension, "application/octet-stream");
    }

    /** Every model, by name. */
    public List<Model> models() {
        return entries.values().stream().map(Entry::model).toList();
    }

    public Optional<Model> find(String name) {
        return Optional.ofNullable(name == null ? null : entries.get(name)).map(Entry::model);
    }

    /** The example input file of a model. */
    Optional<Path> exampleFile(String name) {
        return Optional.ofNullable(name == null ? null : entries.get(name)).map(Entry::example);
    }
}
