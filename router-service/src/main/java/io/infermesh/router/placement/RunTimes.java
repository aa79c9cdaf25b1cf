package io.infermesh.router.placement;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.ModelCard;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Run times observed per model and backend (from the lifecycle's SUCCEEDED events), as exponentially weighted
 * moving averages, so recent behaviour counts most; and timeouts, which count for a while. Thread-safe.
 */
public final class RunTimes {

    private static final double WEIGHT = 0.2;

    /** A timeout's lesson: runs take more than {@code limitSeconds}, until {@code until}. */
    private record Penalty(double limitSeconds, Instant until) {}

    private final Map<String, Double> seconds = new ConcurrentHashMap<>();
    private final Map<String, Penalty> penalties = new ConcurrentHashMap<>();
    private final Supplier<Instant> clock;
    private final Duration penalty;

    /** Timeouts count for an hour, on the system clock. */
    public RunTimes() {
        this(Instant::now, Duration.ofHours(1));
    }

    /**
     * @param clock the time
     * @param penalty how long a timeout keeps the expected run above the limit
     */
    public RunTimes(Supplier<Instant> clock, Duration penalty) {
        this.clock = clock;
        this.penalty = penalty;
    }

    /** Records one observed run of {@code model} on {@code backend}. */
    public void observe(String model, Backend backend, double runSeconds) {
        if (runSeconds < 0 || Double.isNaN(runSeconds)) {
            return;
        }
        seconds.merge(key(model, backend), runSeconds, (old, now) -> old + WEIGHT * (now - old));
    }

    /**
     * Records a run of {@code model} on {@code backend} stopped at {@code limitSeconds}: it would have taken longer,
     * by how much is unknown. For the penalty period the expected run there is at least a quarter more than the
     * limit (so placement leaves that backend alone for the model); afterwards the average counts again, which lets
     * a later job try it.
     */
    public void observeTimeout(String model, Backend backend, double limitSeconds) {
        penalties.merge(
                key(model, backend),
                new Penalty(limitSeconds, clock.get().plus(penalty)),
                (old, now) -> new Penalty(Math.max(old.limitSeconds(), now.limitSeconds()), now.until()));
    }

    /** The observed average on that backend (raised by a recent timeout), if any. */
    public OptionalDouble observed(String model, Backend backend) {
        String key = key(model, backend);
        Double value = seconds.get(key);
        Penalty p = penalties.get(key);
        if (p != null && clock.get().isAfter(p.until())) {
            penalties.remove(key, p);
            p = null;
        }
        if (p != null) {
            return OptionalDouble.of(Math.max(value == null ? 0 : value, p.limitSeconds() * 1.25));
        }
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
