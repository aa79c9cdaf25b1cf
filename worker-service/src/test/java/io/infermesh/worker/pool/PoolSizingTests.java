package io.infermesh.worker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.worker.pool.PoolSizing.Action;
import io.infermesh.worker.pool.PoolSizing.Answer;
import io.infermesh.worker.pool.PoolSizing.Idle;
import io.infermesh.worker.pool.PoolSizing.Tick;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pool's sizing, table-driven: each row is a moment of a model's pool an operator would recognise (start-up, the
 * watcher's tick, the consumer's poll, an idle worker) and what the pool must do then.
 */
class PoolSizingTests {

    /** The defaults: scale to zero, at most 2 job threads, a 60 s idle timeout, batches of up to 8. */
    private static final PoolSizing TO_ZERO = new PoolSizing(0, 2, Duration.ofSeconds(60), 8);
    /** One worker kept while idle, up to 4. */
    private static final PoolSizing KEEP_ONE = new PoolSizing(1, 4, Duration.ofSeconds(60), 8);
    /** Two kept while idle, up to 4. */
    private static final PoolSizing KEEP_TWO = new PoolSizing(2, 4, Duration.ofSeconds(60), 8);
    /** Scale to zero, up to 4. */
    private static final PoolSizing WIDE = new PoolSizing(0, 4, Duration.ofSeconds(60), 8);
    /** Micro-batching off: a thread takes one job at a time. */
    private static final PoolSizing NO_BATCHES = new PoolSizing(0, 2, Duration.ofSeconds(60), 1);

    private static final Answer HOLD = Answer.HOLD;
    private static final Answer RELEASE = new Answer(Action.HOLD, 0, true);

    /** A moment of a pool: which rules, what is asked of them, and what they must answer. */
    record Situation(String name, PoolSizing sizing, Function<PoolSizing, Answer> question, Answer expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> situations() {
        return Stream.of(
                        // start-up
                        new Situation(
                                "start-up, min-workers 0 -> nothing runs, nothing is loaded",
                                TO_ZERO,
                                s -> s.atStart(false),
                                HOLD),
                        new Situation(
                                "start-up, min-workers 1 -> its worker starts with one thread",
                                KEEP_ONE,
                                s -> s.atStart(false),
                                wake(1)),
                        new Situation(
                                "start-up, min-workers 2 -> one consumer with two threads",
                                KEEP_TWO,
                                s -> s.atStart(false),
                                wake(2)),
                        new Situation(
                                "start-up, min-workers 1, already awake -> no second worker",
                                KEEP_ONE,
                                s -> s.atStart(true),
                                HOLD),

                        // the watcher's tick: waking
                        new Situation(
                                "at zero, no job waits -> stays at zero", TO_ZERO, s -> s.onTick(atZero(0)), HOLD),
                        new Situation(
                                "at zero, a job waits -> wakes: one consumer, one thread",
                                TO_ZERO,
                                s -> s.onTick(atZero(1)),
                                wake(1)),
                        new Situation(
                                "at zero, 100 jobs wait -> wakes with one thread all the same (it grows on later ticks)",
                                WIDE,
                                s -> s.onTick(atZero(100)),
                                wake(1)),
                        new Situation(
                                "at zero with min-workers 2, a job waits -> wakes to its minimum",
                                KEEP_TWO,
                                s -> s.onTick(atZero(1)),
                                wake(2)),
                        new Situation(
                                "below min-workers 1 (its worker crashed 2 s ago), no job waits -> back to its minimum",
                                KEEP_ONE,
                                s -> s.onTick(crashed(atZero(0), seconds(2))),
                                wake(1)),
                        new Situation(
                                "its worker crashed 500 ms ago, jobs wait -> waits out the one-second crash pause",
                                TO_ZERO,
                                s -> s.onTick(crashed(atZero(3), millis(500))),
                                HOLD),
                        new Situation(
                                "its worker crashed 1.5 s ago, jobs wait -> wakes again for them",
                                TO_ZERO,
                                s -> s.onTick(crashed(atZero(3), millis(1500))),
                                wake(1)),
                        new Situation(
                                "at zero, the model's session still closing, jobs wait -> no wake until it is closed",
                                TO_ZERO,
                                s -> s.onTick(releasing(atZero(3))),
                                HOLD),
                        new Situation(
                                "at zero, the service stopping, jobs wait -> no wake (another instance takes them)",
                                TO_ZERO,
                                s -> s.onTick(stopped(atZero(3))),
                                HOLD),

                        // the watcher's tick: a model loaded outside the pool
                        new Situation(
                                "at zero, a model a REST call loaded, unused 61 s of a 60 s timeout -> released",
                                TO_ZERO,
                                s -> s.onTick(modelUnused(atZero(0), seconds(61))),
                                RELEASE),
                        new Situation(
                                "at zero, a model a REST call loaded, unused 30 s -> kept for the next call",
                                TO_ZERO,
                                s -> s.onTick(modelUnused(atZero(0), seconds(30))),
                                HOLD),
                        new Situation(
                                "at zero, a REST-loaded model unused 61 s and a job waits -> released, then woken",
                                TO_ZERO,
                                s -> s.onTick(modelUnused(atZero(1), seconds(61))),
                                new Answer(Action.WAKE, 1, true)),
                        new Situation(
                                "awake, its model unused 61 s -> not released (the worker's last one out does it)",
                                TO_ZERO,
                                s -> s.onTick(modelUnused(awake(0, 1), seconds(61))),
                                HOLD),
                        new Situation(
                                "at zero, stopping, a REST-loaded model unused 61 s -> not released here (stopping does)",
                                TO_ZERO,
                                s -> s.onTick(stopped(modelUnused(atZero(0), seconds(61)))),
                                HOLD),

                        // the watcher's tick: growing
                        new Situation(
                                "awake with one thread, two jobs wait -> holds (two per thread is not a pile-up)",
                                TO_ZERO,
                                s -> s.onTick(awake(2, 1)),
                                HOLD),
                        new Situation(
                                "awake with one thread, three jobs wait -> grows to two threads",
                                TO_ZERO,
                                s -> s.onTick(awake(3, 1)),
                                grow(2)),
                        new Situation(
                                "awake with two of two threads, 50 jobs wait -> holds at max-workers",
                                TO_ZERO,
                                s -> s.onTick(awake(50, 2)),
                                HOLD),
                        new Situation(
                                "awake with two of four threads, five jobs wait -> grows to three",
                                WIDE,
                                s -> s.onTick(awake(5, 2)),
                                grow(3)),
                        new Situation(
                                "awake with two of four threads, four jobs wait -> holds",
                                WIDE,
                                s -> s.onTick(awake(4, 2)),
                                HOLD),
                        new Situation(
                                "awake with one thread but leaving, ten jobs wait -> no growth (the next wake runs them)",
                                TO_ZERO,
                                s -> s.onTick(leaving(awake(10, 1))),
                                HOLD),
                        new Situation("awake, no job waits -> holds", TO_ZERO, s -> s.onTick(awake(0, 1)), HOLD),
                        new Situation(
                                "awake, the service stopping, ten jobs wait -> does not grow",
                                TO_ZERO,
                                s -> s.onTick(stopped(awake(10, 1))),
                                HOLD),

                        // the consumer's poll: fetching ahead
                        new Situation(
                                "16 records held, two threads' full batches of 8 -> keeps fetching",
                                TO_ZERO,
                                s -> s.afterPoll(16, false),
                                HOLD),
                        new Situation(
                                "17 records held -> pauses its partitions",
                                TO_ZERO,
                                s -> s.afterPoll(17, false),
                                Answer.of(Action.PAUSE)),
                        new Situation(
                                "paused and still 17 held -> pauses again (a partition assigned since, too)",
                                TO_ZERO,
                                s -> s.afterPoll(17, true),
                                Answer.of(Action.PAUSE)),
                        new Situation(
                                "paused, down to 16 held -> resumes",
                                TO_ZERO,
                                s -> s.afterPoll(16, true),
                                Answer.of(Action.RESUME)),
                        new Situation(
                                "micro-batching off, two threads, three held -> pauses",
                                NO_BATCHES,
                                s -> s.afterPoll(3, false),
                                Answer.of(Action.PAUSE)),

                        // the consumer's poll: an idle worker
                        new Situation(
                                "records polled -> working (its idle time starts again)",
                                TO_ZERO,
                                s -> s.whenIdle(new Idle(5, 0, 0, seconds(61), 0, false)),
                                Answer.of(Action.WORKING)),
                        new Situation(
                                "records queued for the threads -> working",
                                TO_ZERO,
                                s -> s.whenIdle(new Idle(0, 2, 0, seconds(61), 0, false)),
                                Answer.of(Action.WORKING)),
                        new Situation(
                                "a thread runs a batch -> working",
                                TO_ZERO,
                                s -> s.whenIdle(new Idle(0, 0, 1, seconds(61), 0, false)),
                                Answer.of(Action.WORKING)),
                        new Situation(
                                "idle 61 s of a 60 s timeout, no job waits -> leaves (to zero)",
                                TO_ZERO,
                                s -> s.whenIdle(new Idle(0, 0, 0, seconds(61), 0, false)),
                                Answer.of(Action.LEAVE)),
                        new Situation(
                                "idle exactly the timeout -> stays (it leaves only past it)",
                                TO_ZERO,
                                s -> s.whenIdle(new Idle(0, 0, 0, seconds(60), 0, false)),
                                HOLD),
                        new Situation(
                                "idle 30 s -> stays",
                                TO_ZERO,
                                s -> s.whenIdle(new Idle(0, 0, 0, seconds(30), 0, false)),
                                HOLD),
                        new Situation(
                                "idle 61 s, but jobs wait in the topic (another member holds them) -> stays",
                                TO_ZERO,
                                s -> s.whenIdle(new Idle(0, 0, 0, seconds(61), 4, false)),
                                HOLD),
                        new Situation(
                                "idle 61 s with min-workers 1 -> stays (never below the minimum)",
                                KEEP_ONE,
                                s -> s.whenIdle(new Idle(0, 0, 0, seconds(61), 0, false)),
                                HOLD),
                        new Situation(
                                "idle 61 s while the service stops -> stays (stopping drains it instead)",
                                TO_ZERO,
                                s -> s.whenIdle(new Idle(0, 0, 0, seconds(61), 0, true)),
                                HOLD))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("situations")
    void sizesEachPoolAsTheTableSays(Situation s) {
        assertThat(s.question().apply(s.sizing())).isEqualTo(s.expected());
    }

    /** A partition of a dispatch topic: its end, the group's commit (if any), its earliest retained record. */
    record Partition(String name, long end, OptionalLong committed, long earliest, long waiting) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> partitions() {
        return Stream.of(
                        new Partition("committed up to 7 of 10 -> 3 wait", 10, OptionalLong.of(7), 0, 3),
                        new Partition("committed to the end -> none waits", 10, OptionalLong.of(10), 0, 0),
                        new Partition(
                                "never committed, nothing expired -> all 10 wait", 10, OptionalLong.empty(), 0, 10),
                        new Partition(
                                "never committed, the first 6 expired -> the 4 retained wait",
                                10,
                                OptionalLong.empty(),
                                6,
                                4),
                        new Partition(
                                "a commit past the end (the topic was recreated) -> none waits, never a negative count",
                                3,
                                OptionalLong.of(10),
                                0,
                                0))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("partitions")
    void countsTheJobsWaitingInEachPartitionAsTheTableSays(Partition p) {
        assertThat(PoolSizing.partitionBacklog(p.end(), p.committed(), p.earliest()))
                .isEqualTo(p.waiting());
    }

    private static Answer wake(int threads) {
        return new Answer(Action.WAKE, threads, false);
    }

    private static Answer grow(int threads) {
        return new Answer(Action.GROW, threads, false);
    }

    private static Tick atZero(long backlog) {
        return new Tick(backlog, false, 0, false, false, false, PoolSizing.NEVER_CRASHED, 0);
    }

    private static Tick awake(long backlog, int threads) {
        return new Tick(backlog, true, threads, false, false, false, PoolSizing.NEVER_CRASHED, 0);
    }

    private static Tick crashed(Tick t, long agoNanos) {
        return new Tick(
                t.backlog(),
                t.awake(),
                t.threads(),
                t.leaving(),
                t.releasing(),
                t.stopped(),
                agoNanos,
                t.modelUnusedNanos());
    }

    private static Tick leaving(Tick t) {
        return new Tick(
                t.backlog(),
                t.awake(),
                t.threads(),
                true,
                t.releasing(),
                t.stopped(),
                t.sinceCrashNanos(),
                t.modelUnusedNanos());
    }

    private static Tick releasing(Tick t) {
        return new Tick(
                t.backlog(),
                t.awake(),
                t.threads(),
                t.leaving(),
                true,
                t.stopped(),
                t.sinceCrashNanos(),
                t.modelUnusedNanos());
    }

    private static Tick stopped(Tick t) {
        return new Tick(
                t.backlog(),
                t.awake(),
                t.threads(),
                t.leaving(),
                t.releasing(),
                true,
                t.sinceCrashNanos(),
                t.modelUnusedNanos());
    }

    private static Tick modelUnused(Tick t, long nanos) {
        return new Tick(
                t.backlog(),
                t.awake(),
                t.threads(),
                t.leaving(),
                t.releasing(),
                t.stopped(),
                t.sinceCrashNanos(),
                nanos);
    }

    private static long seconds(long s) {
        return Duration.ofSeconds(s).toNanos();
    }

    private static long millis(long ms) {
        return Duration.ofMillis(ms).toNanos();
    }
}
