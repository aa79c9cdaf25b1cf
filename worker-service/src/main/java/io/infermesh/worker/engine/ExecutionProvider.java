package io.infermesh.worker.engine;

/**
 * The ONNX Runtime execution provider that ran a model: what a job's result reports as {@code executionProvider}.
 * Its {@link #name()} is the value in {@code JobResult.executionProvider} ({@code "CPU"}, {@code "CUDA"}).
 */
public enum ExecutionProvider {
    /** ONNX Runtime's default provider, present in every build. */
    CPU,
    /** NVIDIA CUDA, present only in ONNX Runtime's GPU build ({@code com.microsoft.onnxruntime:onnxruntime_gpu}). */
    CUDA
}
