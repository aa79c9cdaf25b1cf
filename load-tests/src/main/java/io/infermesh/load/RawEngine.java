package io.infermesh.load;

import io.infermesh.worker.catalogue.WorkerModels;
import io.infermesh.worker.engine.InferenceEngine;
import io.infermesh.worker.engine.ModelEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.json.JsonMapper;

/**
 * The physical limit: the worker's own engine (decode, ONNX Runtime, ranking) on the same input and model, with the
 * pool's thread budget ({@code --threads}, default 2 like {@code WORKER_CONCURRENCY}), with no Kafka, S3 or
 * database around it. Measured over {@code --seconds} after a warm-up.
 */
final class RawEngine {

    private RawEngine() {
    }

    /** Inferences per second. */
    static double measure(Options options) throws Exception {
        int threads = options.getInt("threads", 2);
        int seconds = options.getInt("seconds", 10);
        byte[] input = Files.readAllBytes(Path.of(options.get("image")));
        WorkerModels models = WorkerModels.load(Path.of(options.get("models-dir") == null ? "models"
                : options.get("models-dir")), List.of());
        ModelEntry model = models.find(options.get("model")).orElseThrow(
                () -> new IllegalArgumentException("no model " + options.get("model") + " under models/"));
        try (InferenceEngine engine = new InferenceEngine(JsonMapper.builder().build(), 1)) {
            for (int i = 0; i < 200; i++) {
                engine.run(model, input);
            }
            AtomicLong done = new AtomicLong();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                workers[t] = Thread.ofPlatform().start(() -> {
                    while (System.nanoTime() < end) {
                        engine.run(model, input);
                        done.incrementAndGet();
                    }
                });
            }
            for (Thread worker : workers) {
                worker.join();
            }
            double rate = done.get() / (double) seconds;
            System.out.printf(Locale.ROOT, "raw engine: %.0f inferences/s (%d threads, %d s, model %s)%n", rate,
                    threads, seconds, model.name());
            return rate;
        }
    }

    static void run(Options options) throws Exception {
        double rate = measure(options);
        Report report = new Report(options, "raw-engine");
        report.write("summary.md", String.format(Locale.ROOT, "# raw-engine%n%n%.0f inferences/s, %d threads, model %s%n",
                rate, options.getInt("threads", 2), options.get("model")));
    }
}
