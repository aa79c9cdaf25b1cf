package io.infermesh.worker.cli;

import io.infermesh.worker.catalogue.WorkerModels;
import io.infermesh.worker.engine.Inference;
import io.infermesh.worker.engine.InferenceEngine;
import io.infermesh.worker.engine.ModelEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import tools.jackson.databind.json.JsonMapper;

/**
 * The raw engine, the physical limit beside the mesh's figures: what {@code predict} does per input (decode, ONNX
 * Runtime, ranking, with the card's pipeline), on one shared {@link InferenceEngine} as the pool shares it, two
 * threads like the pool's default {@code WORKER_CONCURRENCY}, one intra-op thread each; no Kafka, S3 or database
 * around it. The model is loaded and run once before the measurement. The score is inferences per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(2)
public class RawEngineBenchmarks {

    /** The model's folder name under {@link #modelsDir}. */
    @Param("digits")
    public String model;

    /** The input, as a user would upload it (relative to the repository's root, where the runner starts). */
    @Param("models/digits/samples/digit-3.png")
    public String input;

    /** The models folder, as {@code predict --models-dir}. */
    @Param("models")
    public String modelsDir;

    private InferenceEngine engine;
    private ModelEntry entry;
    private byte[] bytes;

    @Setup(Level.Trial)
    public void load() throws IOException {
        bytes = Files.readAllBytes(Path.of(input));
        entry = WorkerModels.load(Path.of(modelsDir), List.of(model)).find(model).orElseThrow();
        engine = new InferenceEngine(JsonMapper.builder().build(), 1);
        // a model that cannot run this input fails here, not as a fast measurement of an exception
        engine.run(entry, bytes);
    }

    @Benchmark
    public Inference inputToAnswer() {
        return engine.run(entry, bytes);
    }

    @TearDown(Level.Trial)
    public void close() {
        engine.close();
    }
}
