package io.infermesh.worker.engine;

import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Prediction;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answer part of {@code result.json}, like the seed paper's Figure 9: labels, probabilities, links; and, when the
 * card has a threshold, each row's {@code decision}.
 */
public final class ResultDocument {

    private ResultDocument() {}

    /**
     * The whole {@code result.json} of a job, wherever it ran (pool, Lambda, Batch): what the job was, then the
     * answer.
     */
    public static Map<String, Object> result(
            String jobId, String owner, ObjectRef input, ModelEntry model, Inference inference, Instant completedAt) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("jobId", jobId);
        doc.put("model", model.name());
        doc.put("modelVersion", model.card().version());
        doc.put("owner", owner);
        doc.put("input", input.uri());
        doc.putAll(answer(model, inference));
        doc.put("completedAt", completedAt.toString());
        return doc;
    }

    /** The first row's answer, and every row's when the input had several (a tabular batch). */
    public static Map<String, Object> answer(ModelEntry model, Inference inference) {
        Map<String, Object> doc = new LinkedHashMap<>(figure9(inference.rows().getFirst(), model));
        if (inference.rows().size() > 1) {
            doc.put(
                    "rows",
                    inference.rows().stream().map(row -> figure9(row, model)).toList());
        }
        return doc;
    }

    private static Map<String, Object> figure9(List<Prediction> top, ModelEntry model) {
        Map<String, Object> part = new LinkedHashMap<>();
        part.put("labels", top.stream().map(Prediction::label).toList());
        part.put("probabilities", top.stream().map(Prediction::probability).toList());
        Map<String, String> templates = model.card().output().links();
        if (templates != null && !templates.isEmpty()) {
            Map<String, List<String>> links = new LinkedHashMap<>();
            templates.forEach((name, template) -> links.put(
                    name,
                    top.stream()
                            .map(p -> template.replace("{label}", URLEncoder.encode(p.label(), StandardCharsets.UTF_8)))
                            .toList()));
            part.put("links", links);
        }
        String decision = Ranking.decision(top, model.card().output());
        if (decision != null) {
            part.put("decision", decision);
        }
        return part;
    }
}
