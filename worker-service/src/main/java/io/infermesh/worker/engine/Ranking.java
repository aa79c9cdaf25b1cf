package io.infermesh.worker.engine;

import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.Prediction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/** Softmax (when the card asks for it) and the top-k labels, best first, lower index first on ties. */
final class Ranking {

    private Ranking() {
    }

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
            throw new ModelFailureException("the model gives " + scores.length + " scores but its card has "
                    + labels.size() + " labels", null);
        }
        int k = Math.min(spec.topK() == null ? 5 : spec.topK(), scores.length);
        List<Prediction> top = new ArrayList<>(k);
        IntStream.range(0, scores.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -p[i]).thenComparingInt(i -> i))
                .limit(k)
                .forEach(i -> top.add(new Prediction(labels.get(i), p[i])));
        return top;
    }
}
