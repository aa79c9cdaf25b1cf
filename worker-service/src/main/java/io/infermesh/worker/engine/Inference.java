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
 * @param executionProvider the ONNX Runtime execution provider that ran the model (CPU, or CUDA when the card asks for
 *     a GPU and the machine has one); what the job's {@code JobResult.executionProvider} reports
 */
public record Inference(
        List<List<Prediction>> rows,
        boolean coldStart,
        long modelLoadMs,
        long inferenceMs,
        ExecutionProvider executionProvider) {

    /** A run on the CPU provider (the result of a worker before providers were reported). */
    public Inference(List<List<Prediction>> rows, boolean coldStart, long modelLoadMs, long inferenceMs) {
        this(rows, coldStart, modelLoadMs, inferenceMs, ExecutionProvider.CPU);
    }
}
