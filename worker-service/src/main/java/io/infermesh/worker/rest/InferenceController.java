package io.infermesh.worker.rest;

import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.Prediction;
import io.infermesh.worker.catalogue.WorkerModels;
import io.infermesh.worker.engine.Inference;
import io.infermesh.worker.engine.InferenceEngine;
import io.infermesh.worker.engine.InvalidInputException;
import io.infermesh.worker.engine.ModelEntry;
import io.infermesh.worker.engine.ModelFailureException;
import io.infermesh.worker.engine.ResultDocument;
import io.infermesh.worker.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The worker's engine over HTTP, synchronously: the Open Inference Protocol v2 (KServe's REST API: health, model
 * metadata and readiness, {@code infer} with raw FP32 tensors) and a plain JSON endpoint that takes the same
 * records or image bytes as an uploaded object. Errors are problem details naming what is wrong.
 */
@RestController
class InferenceController {

    private final WorkerModels models;
    private final InferenceEngine engine;

    InferenceController(WorkerModels models, InferenceEngine engine) {
        this.models = models;
        this.engine = engine;
    }

    @GetMapping("/v2/health/live")
    Map<String, Object> live() {
        return Map.of("live", true);
    }

    @GetMapping("/v2/health/ready")
    Map<String, Object> ready() {
        return Map.of("ready", true);
    }

    @GetMapping("/v2/models/{model}")
    Map<String, Object> metadata(@PathVariable String model) {
        ModelEntry entry = model(model);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", entry.name());
        body.put("versions", List.of(String.valueOf(entry.card().version())));
        body.put("platform", "onnxruntime_onnx");
        body.put("inputs", List.of(Map.of("name", "input", "datatype", "FP32", "shape", inputShape(entry.card()))));
        body.put(
                "outputs",
                List.of(
                        Map.of("name", "probabilities", "datatype", "FP32", "shape", List.of(-1, topK(entry.card()))),
                        Map.of("name", "labels", "datatype", "BYTES", "shape", List.of(-1, topK(entry.card())))));
        return body;
    }

    @GetMapping("/v2/models/{model}/ready")
    Map<String, Object> modelReady(@PathVariable String model) {
        ModelEntry entry = model(model);
        return Map.of("name", entry.name(), "ready", true, "loaded", engine.isLoaded(entry.name()));
    }

    /**
     * OIP v2 infer: one FP32 input tensor (flat or nested {@code data}, batch first), answered with the top-k
     * probabilities and labels of every row.
     */
    @PostMapping(path = "/v2/models/{model}/infer", consumes = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> infer(@PathVariable String model, @RequestBody JsonNode request) {
        ModelEntry entry = model(model);
        JsonNode inputs = request.path("inputs");
        if (!inputs.isArray() || inputs.size() != 1) {
            throw bad(
                    "inputs",
                    "the request needs exactly one entry in \"inputs\"; model '" + model + "' takes one "
                            + "FP32 tensor of shape " + inputShape(entry.card()));
        }
        JsonNode input = inputs.get(0);
        String datatype = input.path("datatype").asString("");
        if (!"FP32".equals(datatype)) {
            throw bad("datatype", "datatype must be FP32, got '" + datatype + "'");
        }
        long[] shape = longs(input.path("shape"), "shape");
        List<Long> expected = inputShape(entry.card());
        if (shape.length != expected.size()) {
            throw bad(
                    "shape",
                    "shape " + Arrays.toString(shape) + " does not fit model '" + model + "', which takes " + expected
                            + " (-1: any batch size)");
        }
        for (int i = 1; i < shape.length; i++) {
            if (expected.get(i) > 0 && shape[i] != expected.get(i)) {
                throw bad(
                        "shape",
                        "shape " + Arrays.toString(shape) + " does not fit model '" + model + "', which takes "
                                + expected + " (-1: any batch size)");
            }
        }
        List<Float> values = new ArrayList<>();
        flatten(input.path("data"), values);
        float[] data = new float[values.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = values.get(i);
        }
        Inference inference = run(() -> engine.run(entry, new Tensor(data, shape)));
        int rows = inference.rows().size();
        int k = inference.rows().getFirst().size();
        List<Double> probabilities = new ArrayList<>(rows * k);
        List<String> labels = new ArrayList<>(rows * k);
        for (List<Prediction> row : inference.rows()) {
            row.forEach(p -> {
                probabilities.add(p.probability());
                labels.add(p.label());
            });
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model_name", entry.name());
        body.put("model_version", String.valueOf(entry.card().version()));
        if (request.hasNonNull("id")) {
            body.put("id", request.get("id").asString());
        }
        body.put(
                "outputs",
                List.of(
                        Map.of(
                                "name",
                                "probabilities",
                                "datatype",
                                "FP32",
                                "shape",
                                List.of(rows, k),
                                "data",
                                probabilities),
                        Map.of("name", "labels", "datatype", "BYTES", "shape", List.of(rows, k), "data", labels)));
        return body;
    }

    /**
     * The plain endpoint: the body is what an uploaded object would contain (a JSON record or array of records for a
     * tabular model, PNG or JPEG bytes for an image model); the answer is {@code result.json}'s.
     */
    @PostMapping(path = "/api/models/{model}/predict")
    Map<String, Object> predict(@PathVariable String model, @RequestBody byte[] body) {
        ModelEntry entry = model(model);
        Inference inference = run(() -> engine.run(entry, body));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("model", entry.name());
        answer.put("modelVersion", entry.card().version());
        answer.putAll(ResultDocument.answer(entry, inference));
        answer.put("inferenceMs", inference.inferenceMs());
        return answer;
    }

    private Inference run(Supplier<Inference> call) {
        try {
            return call.get();
        } catch (InvalidInputException e) {
            throw bad("input", e.getMessage());
        } catch (ModelFailureException e) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR, e.getMessage());
            problem.setTitle("Model error");
            throw new ErrorResponseException(HttpStatus.INTERNAL_SERVER_ERROR, problem, e);
        }
    }

    private ModelEntry model(String name) {
        return models.find(name).orElseThrow(() -> {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                    HttpStatus.NOT_FOUND,
                    "this worker serves no model named '" + name + "'; it serves " + models.names());
            problem.setTitle("Unknown model");
            problem.setProperty("model", name);
            return new ErrorResponseException(HttpStatus.NOT_FOUND, problem, null);
        });
    }

    /** The input shape a card declares, batch first (-1: any). */
    static List<Long> inputShape(ModelCard card) {
        ModelCard.Input in = card.input();
        if ("tabular".equals(in.kind())) {
            // the tensor's columns: the features after the card's steps (one-hot encoding widens a feature)
            return List.of(
                    -1L, (long) (in.features() == null ? -1 : in.tensorColumns().size()));
        }
        long c = in.channels() == null ? 1 : in.channels();
        long h = in.height() == null ? -1 : in.height();
        long w = in.width() == null ? -1 : in.width();
        return "NHWC".equals(in.layout()) ? List.of(-1L, h, w, c) : List.of(-1L, c, h, w);
    }

    private static int topK(ModelCard card) {
        int classes = card.output().labels().size();
        return card.output().topK() == null
                ? classes
                : Math.min(classes, card.output().topK());
    }

    private static long[] longs(JsonNode node, String field) {
        if (!node.isArray() || node.isEmpty()) {
            throw bad(field, field + " must be a non-empty array of integers");
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            if (!node.get(i).canConvertToLong() || node.get(i).asLong() < 1) {
                throw bad(field, field + " must hold positive integers, got " + node);
            }
            values[i] = node.get(i).asLong();
        }
        return values;
    }

    private static void flatten(JsonNode node, List<Float> into) {
        if (node.isArray()) {
            node.forEach(child -> flatten(child, into));
        } else if (node.isNumber()) {
            into.add(node.floatValue());
        } else {
            throw bad("data", "data must hold numbers (flat or nested), found " + node);
        }
    }

    private static ErrorResponseException bad(String parameter, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setTitle("Invalid inference request");
        problem.setProperty("parameter", parameter);
        return new ErrorResponseException(HttpStatus.BAD_REQUEST, problem, null);
    }
}
