package io.infermesh.router.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.PoolState;
import io.infermesh.contracts.PoolStatus;
import io.infermesh.router.placement.Estimates;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the on-prem pools report becomes the slots, warmth and cold start placement reads from the {@link Ledger}:
 * fresh reports win over the configured estimates, stale ones are as good as none.
 */
class LedgerPoolStatusTests {

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    /** Configured: 2 slots, 1 s cold start, warm for 60 s after a job. */
    private static final Estimates ESTIMATES = Estimates.defaults();

    private static final double CONFIGURED_COLD = ESTIMATES.onpremColdStartSeconds();
    private static final double MODEL_LOAD = 0.5;

    /** A status of model "digits" measured {@code ageSeconds} before now. */
    private static PoolStatus status(
            String instance, int ageSeconds, PoolState state, int maxWorkers, boolean loaded, Long lastWakeMs) {
        return new PoolStatus(
                "digits",
                instance,
                state,
                loaded ? 1 : 0,
                maxWorkers,
                0,
                0,
                loaded,
                lastWakeMs,
                NOW.minusSeconds(ageSeconds));
    }

    /**
     * One row: the statuses received, whether this router itself ran a job of the model 10 s ago, and what placement
     * must then read.
     */
    record Row(
            String name,
            List<PoolStatus> statuses,
            boolean ranRecently,
            int slots,
            boolean warm,
            double coldStartSeconds) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Row> rows() {
        return Stream.of(
                new Row(
                        "no report, never ran -> configured slots, cold, configured cold start",
                        List.of(),
                        false,
                        2,
                        false,
                        CONFIGURED_COLD),
                new Row(
                        "no report, ran 10 s ago -> configured slots, warm by recency",
                        List.of(),
                        true,
                        2,
                        true,
                        CONFIGURED_COLD),
                new Row(
                        "one fresh loaded pool of 4 -> 4 slots, warm",
                        List.of(status("w1", 3, PoolState.ACTIVE, 4, true, 40L)),
                        false,
                        4,
                        true,
                        0.04 + MODEL_LOAD),
                new Row(
                        "two fresh instances of 4 -> 8 slots",
                        List.of(
                                status("w1", 3, PoolState.ACTIVE, 4, true, null),
                                status("w2", 1, PoolState.ZERO, 4, false, null)),
                        false,
                        8,
                        true,
                        CONFIGURED_COLD),
                new Row(
                        "fresh pool at ZERO although this router ran a job 10 s ago -> cold (the pool says so)",
                        List.of(status("w1", 2, PoolState.ZERO, 4, false, 120L)),
                        true,
                        4,
                        false,
                        0.12 + MODEL_LOAD),
                new Row(
                        "every fresh instance at ZERO or waking -> cold; slowest measured wake counts",
                        List.of(
                                status("w1", 2, PoolState.ZERO, 2, false, 3_000L),
                                status("w2", 5, PoolState.WAKING, 3, false, 80L)),
                        false,
                        5,
                        false,
                        3.0 + MODEL_LOAD),
                new Row(
                        "a stale report (30 s old, limit 20 s) is as good as none",
                        List.of(status("w1", 30, PoolState.ACTIVE, 16, true, 40L)),
                        false,
                        2,
                        false,
                        CONFIGURED_COLD),
                new Row(
                        "a stale instance does not add its slots or warmth to a fresh one",
                        List.of(
                                status("w1", 30, PoolState.ACTIVE, 16, true, 5_000L),
                                status("w2", 4, PoolState.ZERO, 4, false, 40L)),
                        true,
                        4,
                        false,
                        0.04 + MODEL_LOAD),
                new Row(
                        "exactly at the staleness limit still counts",
                        List.of(status("w1", 20, PoolState.ACTIVE, 3, true, null)),
                        false,
                        3,
                        true,
                        CONFIGURED_COLD));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void reportsBecomeSlotsWarmthAndColdStart(Row row) {
        MutableClock clock = new MutableClock(NOW.minusSeconds(10));
        PoolStatuses pools = new PoolStatuses(Duration.ofSeconds(20), MODEL_LOAD, clock);
        Ledger ledger = new Ledger(ESTIMATES, clock, pools);
        if (row.ranRecently()) {
            ledger.dispatchedOnprem("earlier", 1, "digits", 0.5);
        }
        clock.set(NOW);
        row.statuses().forEach(pools::accept);

        assertThat(ledger.onpremSlots("digits")).isEqualTo(row.slots());
        assertThat(ledger.warm("digits", Backend.ONPREM)).isEqualTo(row.warm());
        assertThat(ledger.onpremColdStartSeconds("digits", CONFIGURED_COLD))
                .isCloseTo(row.coldStartSeconds(), Offset.offset(1e-9));
        // another model's pool says nothing about this one
        assertThat(ledger.onpremSlots("fraud")).isEqualTo(2);
    }

    @Test
    void aReportAgesOutWhileNothingNewArrives() {
        MutableClock clock = new MutableClock(NOW);
        PoolStatuses pools = new PoolStatuses(Duration.ofSeconds(20), MODEL_LOAD, clock);
        Ledger ledger = new Ledger(ESTIMATES, clock, pools);
        pools.accept(status("w1", 0, PoolState.ACTIVE, 6, true, null));
        assertThat(ledger.onpremSlots("digits")).isEqualTo(6);
        assertThat(ledger.warm("digits", Backend.ONPREM)).isTrue();

        clock.set(NOW.plusSeconds(21));

        assertThat(ledger.onpremSlots("digits")).isEqualTo(2);
        assertThat(ledger.warm("digits", Backend.ONPREM)).isFalse();
    }

    @Test
    void theLatestMeasurementOfAnInstanceWinsWhateverTheOrderOfArrival() {
        MutableClock clock = new MutableClock(NOW);
        PoolStatuses pools = new PoolStatuses(Duration.ofSeconds(20), MODEL_LOAD, clock);
        Ledger ledger = new Ledger(ESTIMATES, clock, pools);

        assertThat(pools.accept(status("w1", 1, PoolState.ZERO, 4, false, null)))
                .isEqualTo(PoolStatuses.Outcome.ACCEPTED);
        assertThat(pools.accept(status("w1", 6, PoolState.ACTIVE, 4, true, null)))
                .isEqualTo(PoolStatuses.Outcome.STALE);
        assertThat(ledger.warm("digits", Backend.ONPREM))
                .as("the older ACTIVE report does not overrule ZERO")
                .isFalse();
        assertThat(pools.accept(status("w1", 0, PoolState.ACTIVE, 4, true, null)))
                .isEqualTo(PoolStatuses.Outcome.ACCEPTED);
        assertThat(ledger.warm("digits", Backend.ONPREM)).isTrue();
        assertThat(ledger.onpremSlots("digits"))
                .as("one instance, reported three times")
                .isEqualTo(4);
    }

    @Test
    void malformedAndStaleReportsAreRefusedAndChangeNothing() {
        MutableClock clock = new MutableClock(NOW);
        PoolStatuses pools = new PoolStatuses(Duration.ofSeconds(20), MODEL_LOAD, clock);
        Ledger ledger = new Ledger(ESTIMATES, clock, pools);

        assertThat(pools.accept(null)).isEqualTo(PoolStatuses.Outcome.MALFORMED);
        assertThat(pools.accept(new PoolStatus("Not A Model", "w1", PoolState.ACTIVE, 1, 9, 0, 0, true, null, NOW)))
                .isEqualTo(PoolStatuses.Outcome.MALFORMED);
        assertThat(pools.accept(new PoolStatus("digits", null, PoolState.ACTIVE, 1, 9, 0, 0, true, null, NOW)))
                .isEqualTo(PoolStatuses.Outcome.MALFORMED);
        assertThat(pools.accept(new PoolStatus("digits", "w1", null, 1, 9, 0, 0, true, null, NOW)))
                .isEqualTo(PoolStatuses.Outcome.MALFORMED);
        assertThat(pools.accept(new PoolStatus("digits", "w1", PoolState.ACTIVE, 1, 9, 0, 0, true, null, null)))
                .isEqualTo(PoolStatuses.Outcome.MALFORMED);
        assertThat(pools.accept(new PoolStatus("digits", "w1", PoolState.ACTIVE, 1, -9, 0, 0, true, null, NOW)))
                .isEqualTo(PoolStatuses.Outcome.MALFORMED);
        assertThat(pools.accept(status("w1", 60, PoolState.ACTIVE, 9, true, null)))
                .isEqualTo(PoolStatuses.Outcome.STALE);

        assertThat(ledger.onpremSlots("digits")).isEqualTo(2);
        assertThat(pools.reporting("digits")).isFalse();
    }

    @Test
    void aReportingModelWaitsBehindItsOwnJobsOnlyAnUnreportedOneBehindEveryModelsJobs() {
        MutableClock clock = new MutableClock(NOW);
        PoolStatuses pools = new PoolStatuses(Duration.ofSeconds(20), MODEL_LOAD, clock);
        Ledger ledger = new Ledger(ESTIMATES, clock, pools);
        ledger.dispatchedOnprem("a", 1, "digits", 2.0);
        ledger.dispatchedOnprem("b", 1, "fraud", 5.0);
        ledger.dispatchedOnprem("c", 1, "fraud", 5.0);

        pools.accept(status("w1", 0, PoolState.ACTIVE, 4, true, null));

        assertThat(ledger.onpremBacklog("digits")).as("digits has its own pool").isEqualTo(1);
        assertThat(ledger.onpremWorkAheadSeconds("digits")).isEqualTo(2.0);
        assertThat(ledger.onpremBacklog("fraud"))
                .as("fraud's pool does not report: one shared pool")
                .isEqualTo(3);
        assertThat(ledger.onpremWorkAheadSeconds("fraud")).isEqualTo(12.0);
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {

        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
