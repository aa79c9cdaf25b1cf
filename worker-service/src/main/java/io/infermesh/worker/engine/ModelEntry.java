package io.infermesh.worker.engine;

import io.infermesh.contracts.ModelCard;
import java.nio.file.Path;

/**
 * A model card and the file of its ONNX artefact.
 *
 * @param card the card
 * @param artifact the resolved ONNX file
 */
public record ModelEntry(ModelCard card, Path artifact) {

    public String name() {
        return card.name();
    }
}
