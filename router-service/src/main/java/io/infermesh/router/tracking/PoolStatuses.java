package io.infermesh.router.tracking;

import io.infermesh.contracts.PoolStatus;
import io.infermesh.contracts.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the on-prem worker pools last said about themselves ({@code infermesh.workers.pools}): the latest
 * {@link PoolStatus} of each (model, worker instance). A status measured more than {@code staleness} ago is not
 * believed (its instance may be gone: a stopped or crashed worker stops publishing); a model none of whose
 * instances has a fresh status is <em>not reporting</em>, and the router falls back on its configured estimates.
 * Thread-safe.
 */
public final class PoolStatuses {

    /** What became of one status offered to {@link #accept}. */
    public enum Outcome {
        /** Kept: it is now the latest of its (model, instance). */
        ACCEPTED,
        /** Measured longer ago than the staleness limit, or before the status already held. */
        STALE,
        /** Not a usable status: a field missing or out of range. */
        MALFORMED
    }

    private final Duration staleness;
    private final double modelLoadSeconds;
    private final Clock clock;
    private final Map<String, PoolStatus> latest = new ConcurrentHashMap<>();

    /**
     * @param staleness a status measured longer ago than this is ignored
     * @param modelLoadSeconds added to a pool's measured wake to estimate its cold start (the wake ends when the
     *     first worker consumes; loading and warming up the model follow)
     * @param clock the router's clock
     */
    public PoolStatuses(Duration staleness, double modelLoadSeconds, Clock clock) {
        if (staleness.isNegative() || staleness.isZero()) {
            throw new IllegalArgumentException("the pool status staleness must be positive, not " + staleness);
        }
        this.staleness = staleness;
        this.modelLoadSeconds = Math.max(0, modelLoadSeconds);
        this.clock = clock;
    }

    /** No pool ever reports: every model falls back on the configured estimates. */
    public static PoolStatuses none(Clock clock) {
        return new PoolStatuses(Duration.ofSeconds(20), 0, clock);
    }

    public Duration staleness() {
        return staleness;
    }

    /** Keeps {@code status} if it is well-formed, fresh and newer than the one held for its (model, instance). */
    public Outcome accept(PoolStatus status) {
        if (problem(status) != null) {
            return Outcome.MALFORMED;
        }
        if (!fresh(status, clock.instant())) {
            return Outcome.STALE;
        }
        String key = status.model() + "/" + status.instance();
        boolean[] kept = {false};
        latest.compute(key, (k, held) -> {
            if (held != null && held.at().isAfter(status.at())) {
                return held;
            }
            kept[0] = true;
            return status;
        });
        if (latest.size() > 64) {
            // instances come and go (host and process in the name): forget the ones long silent
            Instant limit = clock.instant().minus(staleness.multipliedBy(10));
            latest.values().removeIf(s -> s.at().isBefore(limit));
        }
        return kept[0] ? Outcome.ACCEPTED : Outcome.STALE;
    }

    /** Why {@code status} cannot be used, or null. */
    public static String problem(PoolStatus status) {
        if (status == null) {
            return "empty record";
        }
        if (status.model() == null || !Topics.MODEL_NAME.matcher(status.model()).matches()) {
            return "model '" + status.model() + "' is not a model name";
        }
        if (status.instance() == null || status.instance().isBlank()) {
            return "no instance";
        }
        if (status.state() == null) {
            return "no state (ZERO, WAKING or ACTIVE)";
        }
        if (status.at() == null) {
            return "no measurement time (at)";
        }
        if (status.workers() < 0
                || status.maxWorkers() < 0
                || status.busy() < 0
                || status.backlog() < 0
                || (status.lastWakeMs() != null && status.lastWakeMs() < 0)) {
            return "a negative count";
        }
        return null;
    }

    /** The fresh statuses of {@code model}'s pools, one per worker instance; empty when it is not reporting. */
    public List<PoolStatus> fresh(String model) {
        Instant now = clock.instant();
        return latest.values().stream()
                .filter(s -> s.model().equals(model) && fresh(s, now))
                .toList();
    }

    /** Whether some instance of {@code model}'s pool has a fresh status. */
    public boolean reporting(String model) {
        return !fresh(model).isEmpty();
    }

    /** Jobs {@code model}'s pools run at once: the sum of their {@code maxWorkers}; empty when not reporting. */
    public OptionalInt slots(String model) {
        List<PoolStatus> fresh = fresh(model);
        return fresh.isEmpty()
                ? OptionalInt.empty()
                : OptionalInt.of(fresh.stream().mapToInt(PoolStatus::maxWorkers).sum());
    }

    /**
     * Whether a job of {@code model} finds its model in memory: true when some fresh status has it loaded, false
     * when fresh statuses exist and none has (every pool at zero or still waking: a cold start); empty when not
     * reporting.
     */
    public Optional<Boolean> loaded(String model) {
        List<PoolStatus> fresh = fresh(model);
        return fresh.isEmpty() ? Optional.empty() : Optional.of(fresh.stream().anyMatch(PoolStatus::loaded));
    }

    /**
     * The cold start of {@code model}'s pool as measured: the longest {@code lastWakeMs} among its fresh statuses
     * plus the model-load allowance; empty when no fresh status has measured a wake.
     */
    public OptionalDouble coldStartSeconds(String model) {
        OptionalDouble wake = fresh(model).stream()
                .filter(s -> s.lastWakeMs() != null)
                .mapToDouble(s -> s.lastWakeMs() / 1000.0)
                .max();
        return wake.isPresent() ? OptionalDouble.of(wake.getAsDouble() + modelLoadSeconds) : OptionalDouble.empty();
    }

    private boolean fresh(PoolStatus status, Instant now) {
        return !status.at().isBefore(now.minus(staleness));
    }
}
