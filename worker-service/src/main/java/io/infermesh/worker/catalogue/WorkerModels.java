package io.infermesh.worker.catalogue;

import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.ModelCatalogue;
import io.infermesh.contracts.Topics;
import io.infermesh.worker.engine.ModelEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The models this worker serves: the cards under {@code <modelsDir>/<name>/model.yaml} (all of them, or those
 * named), each with its ONNX artefact — a file beside the card, or an object in the models bucket
 * ({@code artifact: s3://bucket/key?versionId=...}) fetched at start-up. A card that cannot be read, a missing
 * artefact, or a named model without a card stops start-up with a message naming the file.
 */
public final class WorkerModels {

    private final Map<String, ModelEntry> models;

    private WorkerModels(Map<String, ModelEntry> models) {
        this.models = Map.copyOf(models);
    }

    /**
     * Where a card's artefact comes from when it is not in the card's folder: {@code s3://bucket/key}, optionally
     * {@code ?versionId=...}, fetched to a local file.
     */
    @FunctionalInterface
    public interface ArtifactStore {
        /** The local copy of the object, fetched if needed. */
        Path fetch(String model, String uri);

        /** No object store: an {@code s3://} artefact stops start-up with that reason. */
        ArtifactStore NONE = (model, uri) -> {
            throw new IllegalStateException("model '" + model + "' names artefact " + uri
                    + ", but this way of running the engine has no object store: bake the ONNX file into the models"
                    + " folder");
        };
    }

    /** The cards with artefacts in their folders. */
    public static WorkerModels load(Path modelsDir, List<String> only) {
        return load(modelsDir, only, ArtifactStore.NONE);
    }

    /** The cards, with {@code s3://} artefacts fetched through {@code store}. */
    public static WorkerModels load(Path modelsDir, List<String> only, ArtifactStore store) {
        if (!Files.isDirectory(modelsDir)) {
            throw new IllegalStateException("models folder " + modelsDir.toAbsolutePath()
                    + " does not exist (set infermesh.worker.models-dir)");
        }
        YAMLMapper yaml = YAMLMapper.builder().build();
        Map<String, ModelEntry> models = new TreeMap<>();
        try (Stream<Path> folders = Files.list(modelsDir)) {
            for (Path file : folders.map(f -> f.resolve("model.yaml"))
                    .filter(Files::isRegularFile)
                    .toList()) {
                ModelCard card;
                try {
                    card = yaml.readValue(file.toFile(), ModelCard.class);
                } catch (JacksonException e) {
                    throw new IllegalStateException(
                            "cannot read model card " + file + ": " + e.getOriginalMessage(), e);
                }
                String problem = ModelCatalogue.cardProblem(card);
                if (problem != null) {
                    throw new IllegalStateException("model card " + file + ": " + problem);
                }
                if (card.name() == null
                        || !Topics.MODEL_NAME.matcher(card.name()).matches()
                        || !card.name().equals(file.getParent().getFileName().toString())) {
                    throw new IllegalStateException("model card " + file + " must be named after its folder");
                }
                if (only.isEmpty() || only.contains(card.name())) {
                    models.put(card.name(), entry(card, file, store));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + modelsDir, e);
        }
        for (String name : only) {
            if (!models.containsKey(name)) {
                throw new IllegalStateException("model '" + name + "' has no card under " + modelsDir.toAbsolutePath());
            }
        }
        return new WorkerModels(models);
    }

    private static ModelEntry entry(ModelCard card, Path file, ArtifactStore store) {
        if (card.input() == null || card.output() == null || card.output().labels() == null) {
            throw new IllegalStateException("model card " + file + " needs input and output.labels");
        }
        if (card.artifact() != null && card.artifact().startsWith("s3://")) {
            return new ModelEntry(card, store.fetch(card.name(), card.artifact()));
        }
        Path artifact = file.getParent().resolve(card.artifact() == null ? "model.onnx" : card.artifact());
        if (!Files.isRegularFile(artifact)) {
            throw new IllegalStateException(
                    "model card " + file + " names artefact " + artifact + ", which does not exist");
        }
        return new ModelEntry(card, artifact);
    }

    public Optional<ModelEntry> find(String name) {
        return Optional.ofNullable(models.get(name));
    }

    /** The names of the models served, sorted. */
    public List<String> names() {
        return List.copyOf(models.keySet());
    }
}
