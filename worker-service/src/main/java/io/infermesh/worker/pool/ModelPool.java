package io.infermesh.worker.pool;

import io.infermesh.contracts.PoolState;
import io.infermesh.contracts.PoolStatus;
import io.infermesh.contracts.Topics;
import io.infermesh.worker.engine.InferenceEngine;
import io.infermesh.worker.engine.ModelEntry;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool of one model in this instance: at zero while idle (no consumer, the model out of memory), woken when its
 * dispatch topic has a backlog (one consumer, one job thread), grown by job threads up to the maximum while jobs
 * wait, back to zero after the idle timeout (the model's session closed). The rules are {@link PoolSizing}'s; this
 * class holds the pool's state, asks them and applies the answers.
 */
final class ModelPool {

    private static final Logger log = LoggerFactory.getLogger(ModelPool.class);

    private final ModelEntry model;
    private final PoolWorker.Context context;
    private final InferenceEngine engine;
    private final int maxWorkers;
    private final PoolSizing sizing;
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
        this.maxWorkers = maxWorkers;
        this.sizing = new PoolSizing(
                minWorkers,
                maxWorkers,
                context.settings().idleTimeout(),
                context.settings().batchMaxSize());
    }

    String model() {
        return model.name();
    }

    String topic() {
        return Topics.dispatch(model.name()).name();
    }

    /** The pool's scaling rules, which this class applies. */
    PoolSizing sizing() {
        return sizing;
    }

    /** Starts the workers that stay even when idle. */
    synchronized void startMinimum() {
        PoolSizing.Answer answer = sizing.atStart(worker != null);
        if (answer.action() == PoolSizing.Action.WAKE) {
            worker = new PoolWorker(this, context);
            worker.start(answer.threads());
        }
    }

    /** The backlog read by the watcher: wakes, grows or releases as {@link PoolSizing#onTick} says. */
    synchronized void backlog(long jobs) {
        backlog = jobs;
        long now = System.nanoTime();
        PoolSizing.Answer answer = sizing.onTick(new PoolSizing.Tick(
                jobs,
                worker != null,
                worker == null ? 0 : worker.threads(),
                leaving || worker != null && worker.leaving(),
                releasing,
                stopped,
                crashedAtNanos == 0 ? PoolSizing.NEVER_CRASHED : now - crashedAtNanos,
                engine.unusedFor(model.name()).toNanos()));
        if (answer.releaseModel()) {
            engine.release(model.name());
            log.info(
                    "pool {}: model loaded outside the pool and idle for {}, released",
                    model.name(),
                    context.settings().idleTimeout());
        }
        switch (answer.action()) {
            case WAKE -> {
                wokenAtNanos = System.nanoTime();
                log.info("pool {}: {} job(s) waiting, waking", model.name(), jobs);
                worker = new PoolWorker(this, context);
                worker.start(answer.threads());
            }
            case GROW -> worker.grow();
            default -> {
                // nothing to change
            }
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

    /**
     * Asked by the worker's consumer after each poll: whether it is working, may leave (the pool then counts as
     * leaving and does not grow) or stays, as {@link PoolSizing#whenIdle} says.
     */
    synchronized PoolSizing.Action idle(int polled, int held, int busy, long idleNanos) {
        PoolSizing.Action action = sizing.whenIdle(new PoolSizing.Idle(polled, held, busy, idleNanos, backlog, stopped))
                .action();
        if (action == PoolSizing.Action.LEAVE) {
            leaving = true;
        }
        return action;
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
        PoolState state =
                worker == null && !releasing ? PoolState.ZERO : wokenAtNanos != 0 ? PoolState.WAKING : PoolState.ACTIVE;
        int threads = worker == null ? 0 : worker.threads();
        int busy = worker == null ? 0 : worker.busy();
        return new PoolStatus(
                model.name(),
                instance,
                state,
                threads,
                maxWorkers,
                busy,
                Math.max(0, backlog),
                engine.isLoaded(model.name()),
                lastWakeMs,
                Instant.now());
    }
}
