package io.infermesh.worker.engine;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.Prediction;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The inference engine: decode the input as the card says, run the model with ONNX Runtime, rank the output.
 * One ONNX Runtime session per model, loaded on first use (then warmed up by one throw-away run) and shared by all
 * threads (sessions are thread-safe); {@link #release} closes it, safely while other threads use it. Several inputs
 * of one model run as one batch when the model's first dimension is dynamic. Every run has a time limit (the card's
 * {@code resources.timeoutSeconds}): ONNX Runtime is told to stop, and the run fails with
 * {@link RunTimeoutException}. A model that fails to load is not tried again for {@link #LOAD_RETRY_AFTER}: its jobs
 * fail at once with the same reason instead of re-reading a broken file for each.
 * A model whose card asks for a GPU runs on ONNX Runtime's CUDA provider when the build and the machine offer one,
 * else on CPU with one log line saying why ({@link ExecutionProviders}); every {@link Inference} says which ran.
 * No Kafka, no S3, no Spring: the same engine serves every way of deploying the worker.
 */
public final class InferenceEngine implements AutoCloseable {

    /** How long a model that failed to load stays failed before the next job tries again. */
    public static final Duration LOAD_RETRY_AFTER = Duration.ofSeconds(30);

    /** The time limit of a model without {@code resources.timeoutSeconds}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(15);

    private static final Logger log = LoggerFactory.getLogger(InferenceEngine.class);

    /** What loading a model cost; zeros when it was already in memory. */
    public record Warm(boolean cold, long loadMs, long warmupMs) {}

    private static final class Loaded {
        final OrtSession session;
        final String inputName;
        final boolean dynamicBatch;
        final long[] shape;
        final ExecutionProvider provider;
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        boolean closed;
        long loadMs;
        long warmupMs;
        boolean reported;

        Loaded(OrtSession session, String inputName, long[] shape, ExecutionProvider provider) {
            this.session = session;
            this.inputName = inputName;
            this.shape = shape;
            this.provider = provider;
            this.dynamicBatch = shape.length > 0 && shape[0] < 0;
        }
    }

    private record Broken(String message, long until) {}

    private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
    private final Map<String, Loaded> sessions = new ConcurrentHashMap<>();
    private final Map<String, Broken> broken = new ConcurrentHashMap<>();
    /** When each model's session was last used (System.nanoTime), for releasing sessions nobody uses. */
    private final Map<String, Long> lastUsed = new ConcurrentHashMap<>();

    private final TabularDecoder tabular;
    private final int intraOpThreads;
    private final ExecutionProviders.Machine machine;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "inference-watchdog");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param json the JSON mapper for tabular inputs
     * @param intraOpThreads ONNX Runtime threads per run (1 lets several jobs run side by side on few cores)
     */
    public InferenceEngine(JsonMapper json, int intraOpThreads) {
        this(json, intraOpThreads, ExecutionProviders.Machine.detect());
    }

    /** An engine that takes the machine's providers and devices as given (tests of the provider fallbacks). */
    InferenceEngine(JsonMapper json, int intraOpThreads, ExecutionProviders.Machine machine) {
        this.tabular = new TabularDecoder(json);
        this.intraOpThreads = intraOpThreads;
        this.machine = machine;
    }

    /** The execution provider running the model's session; empty when it is not loaded. */
    public Optional<ExecutionProvider> executionProvider(String model) {
        Loaded loaded = sessions.get(model);
        return loaded == null ? Optional.empty() : Optional.of(loaded.provider);
    }

    /** How long the model's session has not been used; zero when it is not loaded. */
    public Duration unusedFor(String model) {
        Long last = lastUsed.get(model);
        return last == null || !isLoaded(model) ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - last);
    }

    /** Whether the model's session is in memory (the next run is warm). */
    public boolean isLoaded(String model) {
        return sessions.containsKey(model);
    }

    /**
     * Loads and warms up the model if it is not in memory.
     *
     * @return what that cost, reported once: the first caller after a load gets the phases, later ones zeros
     * @throws ModelFailureException when the model cannot be loaded
     */
    public Warm load(ModelEntry model) {
        return withSession(model, loaded -> {
            synchronized (loaded) {
                if (loaded.reported) {
                    return new Warm(false, 0, 0);
                }
                loaded.reported = true;
                return new Warm(true, loaded.loadMs, loaded.warmupMs);
            }
        });
    }

    /** The model's time limit per run: its card's {@code resources.timeoutSeconds}, else {@link #DEFAULT_TIMEOUT}. */
    public static Duration timeout(ModelCard card) {
        return card.resources() == null || card.resources().timeoutSeconds() == null
                ? DEFAULT_TIMEOUT
                : Duration.ofSeconds(card.resources().timeoutSeconds());
    }

    /**
     * Turns an uploaded object into the model's input tensor, as the card says.
     *
     * @throws InvalidInputException when the input is not what the model takes
     */
    public Tensor decode(ModelEntry model, byte[] input) {
        if (NpyDecoder.isNpy(input)) {
            Tensor tensor = NpyDecoder.decode(input);
            checkShape(model, tensor);
            return tensor;
        }
        return switch (String.valueOf(model.card().input().kind())) {
            case "image" -> ImageDecoder.decode(input, model.card().input());
            case "tabular" -> tabular.decode(input, model.card().input());
            default ->
                throw new ModelFailureException(
                        "model card of '" + model.name() + "' has input kind '"
                                + model.card().input().kind() + "'; the engine reads 'image' and 'tabular'",
                        null);
        };
    }

    /** A raw tensor must have the model's input shape (any batch, and any size where the model's is free). */
    private void checkShape(ModelEntry model, Tensor tensor) {
        long[] wanted = withSession(model, loaded -> loaded.shape);
        boolean fits = wanted.length == tensor.shape().length;
        for (int i = 1; fits && i < wanted.length; i++) {
            fits = wanted[i] < 0 || wanted[i] == tensor.shape()[i];
        }
        if (!fits) {
            throw new InvalidInputException("the tensor has shape " + Arrays.toString(tensor.shape()) + "; model '"
                    + model.name() + "' takes " + Arrays.toString(wanted).replace("-1", "any")
                    + " (batch first)");
        }
    }

    /**
     * Runs the model on one input object, within the card's time limit.
     *
     * @throws InvalidInputException when the input is not what the model takes
     * @throws RunTimeoutException when the run took longer than the model's limit
     * @throws ModelFailureException when the model cannot be loaded or run
     */
    public Inference run(ModelEntry model, byte[] input) {
        Warm warm = load(model);
        long start = System.nanoTime();
        Tensor tensor = decode(model, input);
        Duration left = timeout(model.card()).minusNanos(System.nanoTime() - start);
        return withDecodeTime(runAll(model, List.of(tensor), left).getFirst(), warm, start);
    }

    /**
     * Runs the model on a tensor given as it is (the Open Inference Protocol's raw input), skipping decoding.
     *
     * @throws InvalidInputException when the tensor's shape is not what the model takes
     * @throws RunTimeoutException when the run took longer than the model's limit
     * @throws ModelFailureException when the model cannot be loaded or run
     */
    public Inference run(ModelEntry model, Tensor tensor) {
        long expected = 1;
        for (int i = 1; i < tensor.shape().length; i++) {
            expected *= tensor.shape()[i];
        }
        if (tensor.shape().length < 2
                || tensor.shape()[0] < 1
                || tensor.data().length != expected * tensor.shape()[0]) {
            throw new InvalidInputException("a tensor of shape " + Arrays.toString(tensor.shape())
                    + " needs " + expected * Math.max(0, tensor.shape().length < 1 ? 0 : tensor.shape()[0])
                    + " values (batch first), got " + tensor.data().length);
        }
        Warm warm = load(model);
        long start = System.nanoTime();
        return withDecodeTime(
                runAll(model, List.of(tensor), timeout(model.card())).getFirst(), warm, start);
    }

    private static Inference withDecodeTime(Inference run, Warm warm, long start) {
        return new Inference(
                run.rows(),
                warm.cold(),
                warm.loadMs(),
                (System.nanoTime() - start) / 1_000_000,
                run.executionProvider());
    }

    /**
     * Runs the model on several decoded inputs: one ONNX Runtime call when the model batches and the inputs' shapes
     * agree, else one call each; every call within {@code limit}.
     *
     * @return per input, its ranked rows; {@code inferenceMs} is the time of the call it was part of
     * @throws RunTimeoutException when a call took longer than {@code limit}
     * @throws ModelFailureException when the model cannot be loaded or run
     */
    public List<Inference> runAll(ModelEntry model, List<Tensor> tensors, Duration limit) {
        return withSession(model, loaded -> {
            List<Inference> out = new ArrayList<>(tensors.size());
            if (tensors.size() > 1 && loaded.dynamicBatch && sameRowShape(tensors)) {
                long start = System.nanoTime();
                float[][] scores = score(model, loaded, concat(tensors), limit);
                long ms = (System.nanoTime() - start) / 1_000_000;
                int row = 0;
                for (Tensor t : tensors) {
                    int rows = (int) t.shape()[0];
                    out.add(new Inference(
                            rank(model, Arrays.copyOfRange(scores, row, row + rows)), false, 0, ms, loaded.provider));
                    row += rows;
                }
                return out;
            }
            for (Tensor t : tensors) {
                long start = System.nanoTime();
                float[][] scores = score(model, loaded, t, limit);
                out.add(new Inference(
                        rank(model, scores), false, 0, (System.nanoTime() - start) / 1_000_000, loaded.provider));
            }
            return out;
        });
    }

    private static List<List<Prediction>> rank(ModelEntry model, float[][] scores) {
        List<List<Prediction>> rows = new ArrayList<>(scores.length);
        for (float[] row : scores) {
            rows.add(Ranking.topK(row, model.card().output()));
        }
        return rows;
    }

    private static boolean sameRowShape(List<Tensor> tensors) {
        long[] first = tensors.getFirst().shape();
        for (Tensor t : tensors) {
            if (t.shape().length != first.length) {
                return false;
            }
            for (int i = 1; i < first.length; i++) {
                if (t.shape()[i] != first[i]) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Tensor concat(List<Tensor> tensors) {
        int length = 0;
        long rows = 0;
        for (Tensor t : tensors) {
            length += t.data().length;
            rows += t.shape()[0];
        }
        float[] data = new float[length];
        int at = 0;
        for (Tensor t : tensors) {
            System.arraycopy(t.data(), 0, data, at, t.data().length);
            at += t.data().length;
        }
        long[] shape = tensors.getFirst().shape().clone();
        shape[0] = rows;
        return new Tensor(data, shape);
    }

    /** Runs work with the model's session held open; loads it first if needed. */
    private <T> T withSession(ModelEntry model, Function<Loaded, T> work) {
        while (true) {
            Loaded loaded = sessions.computeIfAbsent(model.name(), name -> load0(model));
            loaded.lock.readLock().lock();
            try {
                if (!loaded.closed) {
                    lastUsed.put(model.name(), System.nanoTime());
                    return work.apply(loaded);
                }
            } finally {
                loaded.lock.readLock().unlock();
            }
        }
    }

    private Loaded load0(ModelEntry model) {
        Broken failed = broken.get(model.name());
        if (failed != null && System.nanoTime() - failed.until() < 0) {
            throw new ModelFailureException(failed.message(), null);
        }
        long start = System.nanoTime();
        Loaded loaded;
        try {
            ExecutionProviders.Choice choice = ExecutionProviders.choose(model.card(), machine);
            OrtSession session = null;
            if (choice.provider() == ExecutionProvider.CUDA) {
                try (OrtSession.SessionOptions options = options()) {
                    try {
                        options.addCUDA(ExecutionProviders.CUDA_DEVICE);
                    } catch (OrtException e) {
                        choice = ExecutionProviders.cudaDidNotLoad(e);
                    }
                    if (choice.provider() == ExecutionProvider.CUDA) {
                        try {
                            session = environment.createSession(model.artifact().toString(), options);
                        } catch (OrtException e) {
                            // a broken artefact fails on CPU below too, and is reported from there
                            choice = ExecutionProviders.cudaSessionFailed(e);
                        }
                    }
                }
            }
            if (session == null) {
                try (OrtSession.SessionOptions options = options()) {
                    session = environment.createSession(model.artifact().toString(), options);
                }
            }
            announce(model, choice);
            try {
                Map.Entry<String, NodeInfo> input =
                        session.getInputInfo().entrySet().iterator().next();
                long[] shape = input.getValue().getInfo() instanceof TensorInfo info ? info.getShape() : new long[0];
                loaded = new Loaded(session, input.getKey(), shape, choice.provider());
                loaded.loadMs = (System.nanoTime() - start) / 1_000_000;
                long warm = System.nanoTime();
                warmUp(loaded, shape);
                loaded.warmupMs = (System.nanoTime() - warm) / 1_000_000;
            } catch (OrtException | RuntimeException e) {
                session.close(); // not left open behind a failed load
                throw e;
            }
        } catch (OrtException | RuntimeException e) {
            String message = "cannot load model '" + model.name() + "' from "
                    + model.artifact().getFileName() + ": "
                    + (e instanceof OrtException ort
                            ? "ONNX Runtime cannot read it (" + ort.getCode() + ")"
                            : "an unexpected error (the worker's log has the details)");
            broken.put(model.name(), new Broken(message, System.nanoTime() + LOAD_RETRY_AFTER.toNanos()));
            throw new ModelFailureException(message, e);
        }
        broken.remove(model.name());
        return loaded;
    }

    private OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(intraOpThreads);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return options;
    }

    /** The one line that says where a model whose card asks for a GPU runs, and why not on the GPU. */
    private static void announce(ModelEntry model, ExecutionProviders.Choice choice) {
        if (choice.fellBack()) {
            log.warn(
                    "model '{}' asks for a GPU but runs on CPU (executionProvider CPU): {}",
                    model.name(),
                    choice.fallback());
        } else if (choice.provider() == ExecutionProvider.CUDA) {
            log.info(
                    "model '{}' runs on the GPU (executionProvider CUDA, device {})",
                    model.name(),
                    ExecutionProviders.CUDA_DEVICE);
        }
    }

    /** One throw-away run on zeros, so that the first job does not pay ONNX Runtime's first-run allocations. */
    private void warmUp(Loaded loaded, long[] shape) {
        long[] one = shape.clone();
        long n = 1;
        for (int i = 0; i < one.length; i++) {
            if (one[i] < 0) {
                if (i > 0) {
                    return; // a free spatial dimension: no single shape to warm up with
                }
                one[i] = 1;
            }
            n *= one[i];
        }
        if (one.length == 0 || n > 50_000_000) {
            return;
        }
        try (OnnxTensor in = OnnxTensor.createTensor(environment, FloatBuffer.allocate((int) n), one);
                OrtSession.Result ignored = loaded.session.run(Map.of(loaded.inputName, in))) {
            // the answer to zeros is of no interest
        } catch (OrtException e) {
            // a model may dislike zeros; real inputs will tell
        }
    }

    private float[][] score(ModelEntry model, Loaded loaded, Tensor tensor, Duration limit) {
        if (limit.isNegative() || limit.isZero()) {
            throw RunTimeoutException.of(model);
        }
        AtomicBoolean stopped = new AtomicBoolean();
        AtomicBoolean done = new AtomicBoolean();
        try (OrtSession.RunOptions options = new OrtSession.RunOptions();
                OnnxTensor in = OnnxTensor.createTensor(environment, FloatBuffer.wrap(tensor.data()), tensor.shape())) {
            ScheduledFuture<?> stop = watchdog.schedule(
                    () -> {
                        // under the same lock as "done": never touches the run options once they may be closed
                        synchronized (done) {
                            if (done.get()) {
                                return;
                            }
                            stopped.set(true);
                            try {
                                options.setTerminate(true);
                            } catch (OrtException e) {
                                // the run ends on its own
                            }
                        }
                    },
                    limit.toNanos(),
                    TimeUnit.NANOSECONDS);
            try (OrtSession.Result result = loaded.session.run(Map.of(loaded.inputName, in), options)) {
                Object value = result.get(0).getValue();
                if (!(value instanceof float[][] scores)) {
                    throw new ModelFailureException(
                            "model '" + model.name() + "' does not output a float [batch, classes] tensor", null);
                }
                return scores;
            } finally {
                synchronized (done) {
                    done.set(true);
                }
                stop.cancel(false);
            }
        } catch (OrtException e) {
            if (stopped.get()) {
                throw RunTimeoutException.of(model);
            }
            throw new ModelFailureException(
                    "model '" + model.name() + "' failed on this input: ONNX Runtime reported " + e.getCode(), e);
        }
    }

    /** Releases a model's session, after the runs using it end; the next run of it is cold again. */
    public void release(String model) {
        Loaded loaded = sessions.remove(model);
        if (loaded != null) {
            loaded.lock.writeLock().lock();
            try {
                loaded.closed = true;
                loaded.session.close();
            } catch (OrtException e) {
                throw new ModelFailureException("cannot release model '" + model + "'", e);
            } finally {
                loaded.lock.writeLock().unlock();
            }
        }
    }

    @Override
    public void close() {
        List.copyOf(sessions.keySet()).forEach(this::release);
        watchdog.shutdownNow();
    }
}
