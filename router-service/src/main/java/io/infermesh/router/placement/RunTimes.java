package io.infermesh.router.placement;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.ModelCard;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Run times observed per model and backend (from the lifecycle's SUCCEEDED events), as exponentially weighted
 * moving averages, so recent behaviour counts most. Thread-safe.
 */
public final class RunTimes {

    private static final double WEIGHT = 0.2;

    private final Map<String, Double> seconds = new ConcurrentHashMap<>();

    /** Records one observed run of {@code model} on {@code backend}. */
    public void observe(String model, Backend backend, double runSeconds) {
        if (runSeconds < 0 || Double.isNaN(runSeconds)) {
            return;
        }
        seconds.merge(key(model, backend), runSeconds, (old, now) -> old + WEIGHT * (now - old));
    }

    /**
     * Records a run of {@code model} on {@code backend} stopped at {@code limitSeconds}: it would have taken longer,
     * by how much is unknown, so the average becomes at least a quarter more than the limit (and that backend stays
     * out of placement for the model until faster runs bring it down).
     */
    public void observeTimeout(String model, Backend backend, double limitSeconds) {
        seconds.merge(key(model, backend), limitSeconds * 1.25, Math::max);
    }

    /** The observed average on that backend, if any. */
    public OptionalDouble observed(String model, Backend backend) {
        Double value = seconds.get(key(model, backend));
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    /**
     * The best guess of one run on one CPU: observed on-prem, else observed on Batch (one-vCPU instances too),
     * else the card's {@code expectedSeconds}, else {@code fallback}.
     */
    public double baseline(ModelCard card, double fallback) {
        OptionalDouble onprem = observed(card.name(), Backend.ONPREM);
        if (onprem.isPresent()) {
            return onprem.getAsDouble();
        }
        OptionalDouble batch = observed(card.name(), Backend.BATCH);
        if (batch.isPresent()) {
            return batch.getAsDouble();
        }
        if (card.resources() != null && card.resources().expectedSeconds() != null) {
            return card.resources().expectedSeconds();
        }
        return fallback;
    }

    private static String key(String model, Backend backend) {
        return model + "\u0000" + backend.name();
    }
}
