package io.infermesh.worker.engine;

import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.Prediction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Softmax (when the card asks for it), the top-k labels, best first, lower index first on ties, and the card's
 * threshold decision.
 */
final class Ranking {

    private Ranking() {}

    static List<Prediction> topK(float[] scores, ModelCard.Output spec) {
        double[] p = new double[scores.length];
        if (Boolean.FALSE.equals(spec.softmax())) {
            for (int i = 0; i < scores.length; i++) {
                p[i] = scores[i];
            }
        } else {
            double max = Double.NEGATIVE_INFINITY;
            for (float s : scores) {
                max = Math.max(max, s);
            }
            double sum = 0;
            for (int i = 0; i < scores.length; i++) {
                p[i] = Math.exp(scores[i] - max);
                sum += p[i];
            }
            for (int i = 0; i < scores.length; i++) {
                p[i] /= sum;
            }
        }
        List<String> labels = spec.labels();
        if (labels.size() != scores.length) {
            throw new ModelFailureException(
                    "the model gives " + scores.length + " scores but its card has " + labels.size() + " labels", null);
        }
        int k = Math.min(spec.topK() == null ? 5 : spec.topK(), scores.length);
        List<Prediction> top = new ArrayList<>(k);
        IntStream.range(0, scores.length)
                .boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -p[i]).thenComparingInt(i -> i))
                .limit(k)
                .forEach(i -> top.add(new Prediction(labels.get(i), p[i])));
        return top;
    }

    /**
     * The card's threshold decision on a row: the threshold's label when its probability is at least {@code at},
     * otherwise the most probable other label; null when the card has no threshold (or, on a card that did not pass
     * the catalogue's check, when the label is not among the top k).
     */
    static String decision(List<Prediction> top, ModelCard.Output spec) {
        ModelCard.Threshold threshold = spec.threshold();
        if (threshold == null || threshold.label() == null || threshold.at() == null) {
            return null;
        }
        Prediction candidate = top.stream()
                .filter(p -> p.label().equals(threshold.label()))
                .findFirst()
                .orElse(null);
        if (candidate == null) {
            return null;
        }
        if (candidate.probability() >= threshold.at()) {
            return candidate.label();
        }
        return top.stream()
                .filter(p -> !p.label().equals(threshold.label()))
                .map(Prediction::label)
                .findFirst()
                .orElse(null);
    }
}
