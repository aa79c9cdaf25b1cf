package io.infermesh.worker.engine;

import io.infermesh.contracts.Prediction;
import java.util.List;

/**
 * What one run of a model produced.
 *
 * @param rows the top-k predictions per input row (one row for an image)
 * @param coldStart whether the model had to be loaded for this run
 * @param modelLoadMs time spent loading the model (0 when warm)
 * @param inferenceMs time spent decoding the input, running the model and ranking
 */
public record Inference(List<List<Prediction>> rows, boolean coldStart, long modelLoadMs, long inferenceMs) {}
