package io.infermesh.worker.engine;

/**
 * A dense float32 tensor in row-major order.
 *
 * @param data the values
 * @param shape the dimensions, batch first
 */
public record Tensor(float[] data, long[] shape) {}
