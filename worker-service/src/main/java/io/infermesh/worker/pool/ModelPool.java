package io.infermesh.worker.pool;

import io.infermesh.contracts.PoolState;
import io.infermesh.contracts.PoolStatus;
import io.infermesh.contracts.Topics;
import io.infermesh.worker.engine.InferenceEngine;
import io.infermesh.worker.engine.ModelEntry;
import io.infermesh.worker.jobs.JobRunner;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool of one model in this instance: at zero while idle (no consumer, the model out of memory), woken when its
 * dispatch topic has a backlog (one consumer, one job thread), grown by job threads up to the maximum while jobs
 * wait, back to zero after the idle timeout (the model's session closed).
 */
final class ModelPool {

    private static final Logger log = LoggerFactory.getLogger(ModelPool.class);

    /** After a worker crashed (Kafka unreachable, say), the pool waits this long before waking again. */
    private static final long CRASH_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ModelEntry model;
    private final PoolWorker.Context context;
    private final InferenceEngine engine;
    private final int minWorkers;
    private final int maxWorkers;
    private PoolWorker worker;
    private boolean leaving;
    private boolean releasing;
    private long wokenAtNanos;
    private long crashedAtNanos;
    private volatile long backlog;
    private volatile Long lastWakeMs;
    private volatile boolean stopped;

    ModelPool(ModelEntry model, PoolWorker.Context context, InferenceEngine engine, int minWorkers, int maxWorkers) {
        this.model = model;
        this.context = context;
        this.engine = engine;
        this.minWorkers = minWorkers;
        this.maxWorkers = maxWorkers;
    }

    String model() {
        return model.name();
    }

    String topic() {
        return Topics.dispatch(model.name()).name();
    }

    /** Starts the workers that stay even when idle. */
    synchronized void startMinimum() {
        if (minWorkers > 0 && worker == null) {
            worker = new PoolWorker(this, context);
            worker.start(minWorkers);
        }
    }

    /**
     * The backlog read by the watcher: wakes the pool at zero (one consumer, one job thread), and grows it by one job
     * thread while more than two jobs per thread wait (a thread makes its jobs' Kafka and S3 round trips in
     * sequence, so waiting jobs want another thread more than a bigger batch), up to the maximum.
     */
    synchronized void backlog(long jobs) {
        backlog = jobs;
        if (worker == null && !releasing && !stopped
                && engine.unusedFor(model.name()).compareTo(context.settings().idleTimeout()) > 0) {
            // loaded by a REST or OIP request while the pool was at zero, and idle since: at zero means out of memory
            engine.release(model.name());
            log.info("pool {}: model loaded outside the pool and idle for {}, released", model.name(),
                    context.settings().idleTimeout());
        }
        if (stopped || releasing || jobs <= 0 && (minWorkers == 0 || worker != null)) {
            return;
        }
        if (worker == null) {
            if (crashedAtNanos == 0 || System.nanoTime() - crashedAtNanos > CRASH_PAUSE_NANOS) {
                wokenAtNanos = System.nanoTime();
                log.info("pool {}: {} job(s) waiting, waking", model.name(), jobs);
                worker = new PoolWorker(this, context);
                worker.start(Math.max(1, minWorkers));
            }
        } else if (!leaving) {
            worker.grow(jobs);
        }
    }

    /**
     * Called by a job thread with jobs in hand: the wake time, once after a wake.
     *
     * @return the time from the backlog seen to consuming, or null when this was not a wake from zero
     */
    synchronized Long consumed() {
        if (wokenAtNanos == 0) {
            return null;
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - wokenAtNanos);
        wokenAtNanos = 0;
        lastWakeMs = ms;
        log.info("pool {}: awake in {} ms (backlog seen to first jobs in hand)", model.name(), ms);
        return ms;
    }

    /** Whether the idle pool may go to zero: not below its minimum, not while jobs wait. */
    synchronized boolean mayLeave() {
        if (stopped || backlog > 0 || minWorkers > 0) {
            return false;
        }
        leaving = true;
        return true;
    }

    /**
     * The pool's worker has left (idle, stopped or crashed): the model is released — outside the pool's lock (a REST
     * run in flight may hold the session a while), with the pool reading ACTIVE and not waking until it is done, so
     * that ZERO always means the session is closed.
     */
    void exited(PoolWorker gone, boolean leftIdle, boolean crashed) {
        synchronized (this) {
            if (worker == gone) {
                worker = null;
            }
            leaving = false;
            releasing = true;
            wokenAtNanos = 0; // a wake that found nothing to take (another instance was quicker) is not timed
            if (crashed) {
                crashedAtNanos = System.nanoTime();
            }
        }
        try {
            engine.release(model.name());
            log.info("pool {}: at zero, model released", model.name());
        } finally {
            synchronized (this) {
                releasing = false;
            }
        }
    }

    /** Tells the worker to finish what it holds and leave; returns it to wait for. */
    synchronized List<PoolWorker> stop() {
        stopped = true;
        if (worker == null) {
            return List.of();
        }
        worker.stop();
        return List.of(worker);
    }

    synchronized PoolStatus status(String instance) {
        PoolState state = worker == null && !releasing ? PoolState.ZERO
                : wokenAtNanos != 0 ? PoolState.WAKING : PoolState.ACTIVE;
        int threads = worker == null ? 0 : worker.threads();
        int busy = worker == null ? 0 : worker.busy();
        return new PoolStatus(model.name(), instance, state, threads, maxWorkers, busy, Math.max(0, backlog),
                engine.isLoaded(model.name()), lastWakeMs, Instant.now());
    }
}
