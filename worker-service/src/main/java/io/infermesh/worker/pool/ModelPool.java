package io.infermesh.worker.pool;

import io.infermesh.contracts.PoolStatus;
import io.infermesh.contracts.Topics;
import io.infermesh.worker.engine.InferenceEngine;
import io.infermesh.worker.engine.ModelEntry;
import io.infermesh.worker.jobs.JobRunner;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workers of one model in this instance: none while idle (the model out of memory), woken when its dispatch topic
 * has a backlog, grown up to the maximum while the backlog lasts, shrunk one idle worker at a time; the last one out
 * releases the model's session.
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
    private final List<PoolWorker> workers = new ArrayList<>();
    private final AtomicInteger busy = new AtomicInteger();
    private int leaving;
    private int started;
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
        while (workers.size() < minWorkers) {
            add();
        }
    }

    /**
     * The backlog read by the watcher: wakes the pool at zero, grows it while the backlog exceeds what its workers
     * hold (two batches each), up to the maximum.
     */
    synchronized void backlog(long jobs) {
        backlog = jobs;
        if (stopped || jobs <= 0) {
            return;
        }
        int active = workers.size() - leaving;
        if (active <= 0) {
            if (wokenAtNanos == 0 && (crashedAtNanos == 0 || System.nanoTime() - crashedAtNanos > CRASH_PAUSE_NANOS)) {
                wokenAtNanos = System.nanoTime();
                log.info("pool {}: {} job(s) waiting, waking", model.name(), jobs);
                add();
            }
        } else if (active < maxWorkers && jobs > 2L * active * context.settings().batchMaxSize()) {
            add();
        }
    }

    private void add() {
        PoolWorker worker = new PoolWorker(this, context, ++started);
        workers.add(worker);
        worker.start();
    }

    /**
     * Called by a worker with jobs in hand for the first time after a wake: the wake time, once.
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

    /** Whether an idle worker may leave: the pool stays at its minimum and keeps workers while jobs wait. */
    synchronized boolean mayLeave() {
        if (stopped || backlog > 0 || workers.size() - leaving <= minWorkers) {
            return false;
        }
        leaving++;
        return true;
    }

    /**
     * A worker has left (idle, stopped or crashed); the last one out releases the model (under the pool's lock, so
     * that the pool reads ZERO only once the session is closed, and a wake waits for the release).
     */
    synchronized void exited(PoolWorker worker, boolean leftIdle, boolean crashed) {
        workers.remove(worker);
        if (leftIdle) {
            leaving--;
        }
        if (crashed) {
            crashedAtNanos = System.nanoTime();
            wokenAtNanos = 0;
        }
        if (workers.isEmpty()) {
            engine.release(model.name());
            log.info("pool {}: no worker left, model released", model.name());
        }
    }

    void busy(int delta) {
        busy.addAndGet(delta);
    }

    /** Tells every worker to finish what it holds and leave; returns them to wait for. */
    synchronized List<PoolWorker> stop() {
        stopped = true;
        workers.forEach(PoolWorker::stop);
        return List.copyOf(workers);
    }

    synchronized PoolStatus status(String instance) {
        int present = workers.size();
        String state = present > 0 ? (wokenAtNanos != 0 ? "WAKING" : "ACTIVE") : "ZERO";
        return new PoolStatus(model.name(), instance, state, present, maxWorkers, busy.get(),
                Math.max(0, backlog), engine.isLoaded(model.name()), lastWakeMs, Instant.now());
    }

    ModelEntry entry() {
        return model;
    }

    JobRunner runner() {
        return context.runner();
    }
}
