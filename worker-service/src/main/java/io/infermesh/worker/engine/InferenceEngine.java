package io.infermesh.worker.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.infermesh.contracts.Prediction;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * The inference engine: decode the input as the card says, run the model with ONNX Runtime, rank the output.
 * One ONNX Runtime session per model, loaded on first use and shared by all threads (sessions are thread-safe).
 * No Kafka, no S3, no Spring: the same engine serves every way of deploying the worker.
 */
public final class InferenceEngine implements AutoCloseable {

    private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
    private final Map<String, OrtSession> sessions = new ConcurrentHashMap<>();
    private final TabularDecoder tabular;
    private final int intraOpThreads;

    /**
     * @param json the JSON mapper for tabular inputs
     * @param intraOpThreads ONNX Runtime threads per run (1 lets several jobs run side by side on few cores)
     */
    public InferenceEngine(JsonMapper json, int intraOpThreads) {
        this.tabular = new TabularDecoder(json);
        this.intraOpThreads = intraOpThreads;
    }

    /** Whether the model's session is in memory (the next run is warm). */
    public boolean isLoaded(String model) {
        return sessions.containsKey(model);
    }

    /**
     * Runs the model on one input object.
     *
     * @throws InvalidInputException when the input is not what the model takes
     * @throws ModelFailureException when the model cannot be loaded or run
     */
    public Inference run(ModelEntry model, byte[] input) {
        return run(model, input, null);
    }

    /**
     * Runs the model on a tensor given as it is (the Open Inference Protocol's raw input), skipping decoding.
     *
     * @throws InvalidInputException when the tensor's shape is not what the model takes
     * @throws ModelFailureException when the model cannot be loaded or run
     */
    public Inference run(ModelEntry model, Tensor tensor) {
        long expected = 1;
        for (int i = 1; i < tensor.shape().length; i++) {
            expected *= tensor.shape()[i];
        }
        if (tensor.shape().length < 2 || tensor.shape()[0] < 1 || tensor.data().length != expected * tensor.shape()[0]) {
            throw new InvalidInputException("a tensor of shape " + java.util.Arrays.toString(tensor.shape())
                    + " needs " + expected * Math.max(0, tensor.shape().length < 1 ? 0 : tensor.shape()[0])
                    + " values (batch first), got " + tensor.data().length);
        }
        return run(model, null, tensor);
    }

    private Inference run(ModelEntry model, byte[] input, Tensor given) {
        long start = System.nanoTime();
        boolean cold = !sessions.containsKey(model.name());
        OrtSession session = sessions.computeIfAbsent(model.name(), name -> load(model));
        long loaded = System.nanoTime();
        Tensor tensor = given != null ? given : switch (String.valueOf(model.card().input().kind())) {
            case "image" -> ImageDecoder.decode(input, model.card().input());
            case "tabular" -> tabular.decode(input, model.card().input());
            default -> throw new ModelFailureException("model card of '" + model.name() + "' has input kind '"
                    + model.card().input().kind() + "'; the engine reads 'image' and 'tabular'", null);
        };
        float[][] scores = score(model, session, tensor);
        List<List<Prediction>> rows = new ArrayList<>(scores.length);
        for (float[] row : scores) {
            rows.add(Ranking.topK(row, model.card().output()));
        }
        long done = System.nanoTime();
        return new Inference(rows, cold, cold ? (loaded - start) / 1_000_000 : 0, (done - loaded) / 1_000_000);
    }

    private OrtSession load(ModelEntry model) {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return environment.createSession(model.artifact().toString(), options);
        } catch (OrtException e) {
            throw new ModelFailureException("cannot load model '" + model.name() + "' from " + model.artifact()
                    + ": " + e.getMessage(), e);
        }
    }

    private static float[][] score(ModelEntry model, OrtSession session, Tensor tensor) {
        String inputName = session.getInputNames().iterator().next();
        try (OnnxTensor in = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(tensor.data()),
                tensor.shape()); OrtSession.Result result = session.run(Map.of(inputName, in))) {
            Object value = result.get(0).getValue();
            if (!(value instanceof float[][] scores)) {
                throw new ModelFailureException("model '" + model.name()
                        + "' does not output a float [batch, classes] tensor", null);
            }
            return scores;
        } catch (OrtException e) {
            throw new ModelFailureException("model '" + model.name() + "' failed: " + e.getMessage(), e);
        }
    }

    /** Releases a model's session; the next run of it is cold again. */
    public void release(String model) {
        OrtSession session = sessions.remove(model);
        if (session != null) {
            try {
                session.close();
            } catch (OrtException e) {
                throw new ModelFailureException("cannot release model '" + model + "'", e);
            }
        }
    }

    @Override
    public void close() {
        List.copyOf(sessions.keySet()).forEach(this::release);
    }
}
