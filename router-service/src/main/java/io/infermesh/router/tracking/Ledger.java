package io.infermesh.router.tracking;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.router.placement.Capacity;
import io.infermesh.router.placement.Estimates;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The router's own bookkeeping, fed by its dispatches and by the lifecycle topic: the on-prem pool's backlog and
 * expected work ahead (one pool: the workers' slots serve every model), each model's recent arrivals, when each
 * backend last ran each model (warm or cold), the jobs in flight on cloud backends (to re-dispatch a
 * {@code lambda-batch} job, and to poll Batch when its events are late). In memory: a restarted router starts
 * empty and relearns from new traffic (the backlog estimate is then low until in-flight jobs finish). Thread-safe.
 *
 * <p>What the worker pools publish about themselves ({@link PoolStatuses}) takes precedence where it says more than
 * this bookkeeping can: a model whose pools report (a fresh status from some worker instance) has as many slots as
 * their {@code maxWorkers} together, is warm exactly when one of them has the model loaded, and its cold start is the
 * measured wake plus the model-load allowance; its backlog and work ahead are its own jobs only (each model has its
 * own pool). The backlog itself stays this router's own count: it knows what it dispatched before a pool reports it.
 * A model whose pools do not report keeps the configured slots, the recency rule and one pool shared by all models.
 */
public final class Ledger implements Capacity {

    /**
     * A job attempt handed to a cloud backend.
     *
     * @param job the payload sent
     * @param handle the backend's id for it (Batch job id, Lambda request id)
     * @param lastStatus the latest status seen for it
     * @param lastChange when that status was seen
     * @param announcement the RUNNABLE event that announces it, to publish again if the first publication failed
     */
    public record InFlight(
            JobDispatched job,
            String handle,
            JobStatus lastStatus,
            Instant lastChange,
            JobStatusChanged announcement) {}

    /** Entries older than this are dropped: their end was missed (another router instance saw it, or it never came). */
    private static final Duration FORGET_ONPREM = Duration.ofHours(1);

    private static final Duration FORGET_REMOTE = Duration.ofHours(24);

    private final Estimates estimates;
    private final Clock clock;
    private final PoolStatuses pools;
    /** An on-prem attempt: its model, expected run, when it was dispatched and started running (null while queued). */
    private record OnPrem(String model, double expectedRunSeconds, Instant dispatched, Instant runningSince) {}

    private final Map<String, OnPrem> onpremInFlight = new ConcurrentHashMap<>();
    private final Map<String, Deque<Instant>> arrivals = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastUse = new ConcurrentHashMap<>();
    private final Map<String, InFlight> remote = new ConcurrentHashMap<>();
    private final Map<String, Instant> running = new ConcurrentHashMap<>();

    /** Bookkeeping without pool reports: configured slots, warmth by recent use. */
    public Ledger(Estimates estimates, Clock clock) {
        this(estimates, clock, PoolStatuses.none(clock));
    }

    public Ledger(Estimates estimates, Clock clock, PoolStatuses pools) {
        this.estimates = estimates;
        this.clock = clock;
        this.pools = pools;
    }

    /** A job of {@code model} was requested (for {@link #recentArrivals}). */
    public void arrived(String model) {
        Instant now = clock.instant();
        Deque<Instant> times = arrivals.computeIfAbsent(model, m -> new ArrayDeque<>());
        synchronized (times) {
            times.addLast(now);
            prune(times, now);
        }
    }

    /** An attempt was handed to the on-prem pool, expected to run {@code expectedRunSeconds}. */
    public void dispatchedOnprem(String jobId, int attempt, String model, double expectedRunSeconds) {
        onpremInFlight.putIfAbsent(key(jobId, attempt), new OnPrem(model, expectedRunSeconds, clock.instant(), null));
        evictStale();
        lastUse.put(use(model, Backend.ONPREM), clock.instant());
    }

    /** An attempt was handed to a cloud backend and will be announced by {@code announcement}. */
    public void dispatchedRemote(JobDispatched job, String handle, JobStatusChanged announcement) {
        remote.put(
                key(job.jobId(), job.attempt()),
                new InFlight(job, handle, JobStatus.RUNNABLE, clock.instant(), announcement));
        lastUse.put(use(job.model(), job.backend()), clock.instant());
        evictStale();
    }

    /** Forgets an on-prem attempt whose dispatch failed. */
    public void undoOnprem(String jobId, int attempt) {
        onpremInFlight.remove(key(jobId, attempt));
    }

    /** A lifecycle event, from any service. Returns the observed run time in seconds when the event ends a run. */
    public Optional<Double> observe(JobStatusChanged event) {
        String key = key(event.jobId(), event.attempt());
        if (event.status() == JobStatus.RUNNING && (onpremInFlight.containsKey(key) || remote.containsKey(key))) {
            running.putIfAbsent(key, event.occurredAt());
        }
        if (event.status() == JobStatus.STARTING || event.status() == JobStatus.RUNNING) {
            onpremInFlight.computeIfPresent(
                    key,
                    (k, o) -> o.runningSince() != null
                            ? o
                            : new OnPrem(o.model(), o.expectedRunSeconds(), o.dispatched(), event.occurredAt()));
        }
        remote.computeIfPresent(
                key,
                (k, f) -> event.status().rank() > f.lastStatus().rank()
                        ? new InFlight(f.job(), f.handle(), event.status(), clock.instant(), f.announcement())
                        : f);
        if (!event.status().isTerminal()) {
            return Optional.empty();
        }
        onpremInFlight.remove(key);
        remote.remove(key);
        Instant started = running.remove(key);
        if (event.backend() != null) {
            lastUse.put(use(event.model(), event.backend()), clock.instant());
        }
        if (event.status() != JobStatus.SUCCEEDED) {
            return Optional.empty();
        }
        var t = event.timings();
        if (t != null && t.inferenceMs() != null) {
            long ms = t.inferenceMs() + nz(t.downloadMs()) + nz(t.uploadMs());
            return Optional.of(ms / 1000.0);
        }
        if (started != null && event.occurredAt() != null) {
            return Optional.of(
                    Math.max(0, Duration.between(started, event.occurredAt()).toMillis()) / 1000.0);
        }
        return Optional.empty();
    }

    /** The cloud attempt in flight, if this router dispatched it and it has not ended. */
    public Optional<InFlight> remote(String jobId, int attempt) {
        return Optional.ofNullable(remote.get(key(jobId, attempt)));
    }

    /** Batch attempts whose last status is older than {@code lateAfter}. */
    public List<InFlight> lateBatchJobs(Duration lateAfter) {
        Instant limit = clock.instant().minus(lateAfter);
        return remote.values().stream()
                .filter(f ->
                        f.job().backend() == Backend.BATCH && !f.lastChange().isAfter(limit))
                .toList();
    }

    /** Forgets an attempt (it ended, as seen by polling). */
    public void forget(String jobId, int attempt) {
        remote.remove(key(jobId, attempt));
        running.remove(key(jobId, attempt));
    }

    private volatile Instant lastEviction = Instant.EPOCH;

    /** Drops entries whose end this router never saw, at most once a minute. */
    private void evictStale() {
        Instant now = clock.instant();
        if (Duration.between(lastEviction, now).toSeconds() < 60) {
            return;
        }
        lastEviction = now;
        onpremInFlight.values().removeIf(o -> o.dispatched().isBefore(now.minus(FORGET_ONPREM)));
        remote.values().removeIf(f -> f.lastChange().isBefore(now.minus(FORGET_REMOTE)));
        running.values().removeIf(t -> t.isBefore(now.minus(FORGET_REMOTE)));
    }

    @Override
    public int onpremBacklog(String model) {
        if (pools.reporting(model)) {
            return (int) onpremInFlight.values().stream()
                    .filter(o -> o.model().equals(model))
                    .count();
        }
        return onpremInFlight.size();
    }

    @Override
    public double onpremWorkAheadSeconds(String model) {
        Instant now = clock.instant();
        boolean ownPool = pools.reporting(model);
        double work = 0;
        for (OnPrem job : onpremInFlight.values()) {
            if (ownPool && !job.model().equals(model)) {
                continue;
            }
            double done = job.runningSince() == null
                    ? 0
                    : Math.max(0, Duration.between(job.runningSince(), now).toMillis() / 1000.0);
            work += Math.max(0, job.expectedRunSeconds() - done);
        }
        return work;
    }

    @Override
    public int recentArrivals(String model) {
        Deque<Instant> times = arrivals.get(model);
        if (times == null) {
            return 0;
        }
        synchronized (times) {
            prune(times, clock.instant());
            return times.size();
        }
    }

    private void prune(Deque<Instant> times, Instant now) {
        Instant limit = now.minusMillis((long) (estimates.lambdaWarmSeconds() * 1000));
        while (!times.isEmpty() && (times.peekFirst().isBefore(limit) || times.size() > 100_000)) {
            times.pollFirst();
        }
    }

    @Override
    public int onpremSlots(String model) {
        return pools.slots(model).orElse(estimates.onpremSlots());
    }

    @Override
    public double onpremColdStartSeconds(String model, double configured) {
        return pools.coldStartSeconds(model).orElse(configured);
    }

    @Override
    public boolean warm(String model, Backend backend) {
        if (backend == Backend.ONPREM) {
            Optional<Boolean> loaded = pools.loaded(model);
            if (loaded.isPresent()) {
                return loaded.get();
            }
        }
        Instant last = lastUse.get(use(model, backend));
        if (last == null) {
            return false;
        }
        double window = switch (backend) {
            case ONPREM -> estimates.onpremIdleSeconds();
            case LAMBDA -> estimates.lambdaWarmSeconds();
            case BATCH -> estimates.batchWarmSeconds();
        };
        return Duration.between(last, clock.instant()).toMillis() <= window * 1000;
    }

    private static String key(String jobId, int attempt) {
        return jobId + "/" + attempt;
    }

    private static String use(String model, Backend backend) {
        // a backend added through the SPI has no wire value (ADR 0023); its use is kept apart from the shipped ones
        return backend == Backend.BATCH ? "\u0000batch" : model + "\u0000" + (backend == null ? "" : backend.name());
    }

    private static long nz(Long value) {
        return value == null ? 0 : value;
    }
}
