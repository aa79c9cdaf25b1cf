package io.infermesh.worker.pool;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * How many workers a model's pool runs (ADR 0013), stated once: when a pool at zero wakes, when an awake one grows by
 * a job thread, when its consumer stops fetching ahead, when an idle worker leaves, when a model loaded outside the
 * pool is released, and how many jobs wait in a dispatch topic. No Kafka, threads, clock or Spring: {@link ModelPool}
 * and {@link PoolWorker} pass what they see as plain numbers (times in nanoseconds) and apply the {@link Answer}.
 */
final class PoolSizing {

    /** After a worker crashed (Kafka unreachable, say), the pool waits this long before waking again. */
    static final Duration CRASH_PAUSE = Duration.ofSeconds(1);

    /** {@link Tick#sinceCrashNanos} of a pool whose worker never crashed. */
    static final long NEVER_CRASHED = Long.MAX_VALUE;

    /** What to do. */
    enum Action {
        /** Start the pool's worker: one consumer of the dispatch topic and {@link Answer#threads} job threads. */
        WAKE,
        /** Add a job thread to the awake worker (never a consumer: no rebalance stalls the topic). */
        GROW,
        /** Stop fetching: the queue holds more than the job threads can take. */
        PAUSE,
        /** Fetch again. */
        RESUME,
        /** Jobs were polled, are queued or are running: the worker is not idle, its idle time starts again. */
        WORKING,
        /** The idle worker leaves the group; the last one out releases the model. */
        LEAVE,
        /** Nothing changes. */
        HOLD
    }

    /**
     * The answer.
     *
     * @param action what to do
     * @param threads for {@link Action#WAKE} the job threads to start, for {@link Action#GROW} the worker's job threads
     *     once grown; 0 otherwise
     * @param releaseModel close the model's session first: it was loaded outside the pool (a REST or OIP request)
     *     while the pool was at zero and has been unused for the idle timeout, and at zero means out of memory
     */
    record Answer(Action action, int threads, boolean releaseModel) {

        static final Answer HOLD = new Answer(Action.HOLD, 0, false);

        static Answer of(Action action) {
            return new Answer(action, 0, false);
        }
    }

    /**
     * What the watcher sees of a pool on each tick.
     *
     * @param backlog jobs in the dispatch topic that the group has not committed
     * @param awake the pool has its worker (a consumer and its job threads)
     * @param threads the worker's job threads (0 at zero)
     * @param leaving the worker is on its way out (idle, stopping or crashed)
     * @param releasing the worker has left and the model's session is being closed
     * @param stopped the service is shutting down
     * @param sinceCrashNanos time since the pool's last worker crashed, {@link #NEVER_CRASHED} if none did
     * @param modelUnusedNanos how long the model's session has been in memory without a run (0 when not loaded)
     */
    record Tick(
            long backlog,
            boolean awake,
            int threads,
            boolean leaving,
            boolean releasing,
            boolean stopped,
            long sinceCrashNanos,
            long modelUnusedNanos) {}

    /**
     * What an awake worker's consumer sees after each poll, for its idle time.
     *
     * @param polled records the poll returned
     * @param held records queued for the job threads
     * @param busy job threads running a batch
     * @param idleNanos time since the worker last polled, held or ran a job
     * @param backlog the pool's backlog as the watcher last read it
     * @param stopped the service is shutting down (the worker then drains instead)
     */
    record Idle(int polled, int held, int busy, long idleNanos, long backlog, boolean stopped) {}

    private final int minWorkers;
    private final int maxWorkers;
    private final long idleTimeoutNanos;
    private final int batchMaxSize;

    /**
     * @param minWorkers job threads kept even when idle (0: the pool scales to zero)
     * @param maxWorkers the most job threads of the pool in this instance
     * @param idleTimeout a worker with no job for this long leaves
     * @param batchMaxSize the most jobs a job thread takes at once
     */
    PoolSizing(int minWorkers, int maxWorkers, Duration idleTimeout, int batchMaxSize) {
        this.minWorkers = minWorkers;
        this.maxWorkers = maxWorkers;
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.batchMaxSize = batchMaxSize;
    }

    /** At start-up: the workers that stay even when idle, if there are any. */
    Answer atStart(boolean awake) {
        return minWorkers > 0 && !awake ? new Answer(Action.WAKE, minWorkers, false) : Answer.HOLD;
    }

    /**
     * On the watcher's tick: a backlog wakes a pool at zero (one thread, or its minimum) unless its worker crashed
     * within the last {@link #CRASH_PAUSE}; a pool below its minimum wakes without one; an awake pool grows by one
     * job thread while more than two jobs per thread wait (a thread makes its jobs' Kafka and S3 round trips in
     * sequence, so waiting jobs want another thread more than a bigger batch), up to the maximum. Nothing changes
     * while the service stops, the model is being released or the worker leaves.
     */
    Answer onTick(Tick tick) {
        boolean release =
                !tick.awake() && !tick.releasing() && !tick.stopped() && tick.modelUnusedNanos() > idleTimeoutNanos;
        Answer hold = new Answer(Action.HOLD, 0, release);
        if (tick.stopped() || tick.releasing() || tick.backlog() <= 0 && (minWorkers == 0 || tick.awake())) {
            return hold;
        }
        if (!tick.awake()) {
            return tick.sinceCrashNanos() > CRASH_PAUSE.toNanos()
                    ? new Answer(Action.WAKE, Math.max(1, minWorkers), release)
                    : hold;
        }
        if (!tick.leaving() && tick.threads() < maxWorkers && tick.backlog() > 2L * tick.threads()) {
            return new Answer(Action.GROW, tick.threads() + 1, false);
        }
        return Answer.HOLD;
    }

    /**
     * After each poll: records are not fetched ahead without bound, so the consumer pauses while it holds more than
     * every thread's full batch, and resumes below that.
     */
    Answer afterPoll(int held, boolean paused) {
        if (held > (long) maxWorkers * batchMaxSize) {
            return Answer.of(Action.PAUSE);
        }
        return paused ? Answer.of(Action.RESUME) : Answer.HOLD;
    }

    /**
     * After each poll, for the idle time: a worker that polled, holds or runs jobs is working; one idle for longer
     * than the idle timeout leaves, unless that would take the pool below its minimum, jobs wait (another member holds
     * them, or they are not fetched yet) or the service stops (the worker drains instead).
     */
    Answer whenIdle(Idle idle) {
        if (idle.polled() > 0 || idle.held() > 0 || idle.busy() > 0) {
            return Answer.of(Action.WORKING);
        }
        if (idle.idleNanos() > idleTimeoutNanos && !idle.stopped() && idle.backlog() <= 0 && minWorkers == 0) {
            return Answer.of(Action.LEAVE);
        }
        return Answer.HOLD;
    }

    /**
     * The jobs waiting in one partition of a dispatch topic: from the group's committed offset to the end, or from the
     * earliest record still retained when the group has committed nothing there (expired records do not wait).
     */
    static long partitionBacklog(long endOffset, OptionalLong committedOffset, long earliestOffset) {
        return Math.max(0, endOffset - committedOffset.orElse(earliestOffset));
    }
}
