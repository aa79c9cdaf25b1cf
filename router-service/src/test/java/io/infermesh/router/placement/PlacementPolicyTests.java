package io.infermesh.router.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.PlacementDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The placement policy, table-driven: each row is a situation a user would recognise and where the job must go. */
class PlacementPolicyTests {

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private static final ModelCard.LambdaTarget FUNCTION = new ModelCard.LambdaTarget("infermesh-model", null);
    private static final ModelCard.BatchTarget QUEUE = new ModelCard.BatchTarget("infermesh-cpu", "infermesh-model:1");

    /**
     * A situation: the model, the on-prem backlog, which backends are down, the on-prem price; the backend the owner
     * asked for (null: none) and what the reason must say then.
     */
    record Situation(
            String name,
            ModelCard card,
            int backlog,
            Set<Backend> down,
            double onpremPrice,
            Backend expected,
            FailureReason expectedFailure,
            Backend requested,
            String reasonSays) {

        Situation(
                String name,
                ModelCard card,
                int backlog,
                Set<Backend> down,
                double onpremPrice,
                Backend expected,
                FailureReason expectedFailure) {
            this(name, card, backlog, down, onpremPrice, expected, expectedFailure, null, null);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static ModelCard auto(double runSeconds, int memoryMb, int gpus, Integer deadline, Double ceiling) {
        return new ModelCard(
                "m",
                "1",
                "d",
                "model.onnx",
                null,
                null,
                new ModelCard.Resources(10_000_000L, 3600, memoryMb, 1, gpus, runSeconds),
                new ModelCard.Placement("auto", deadline, ceiling, FUNCTION, QUEUE));
    }

    private static ModelCard fixed(String mode, ModelCard.LambdaTarget lambda, ModelCard.BatchTarget batch, int gpus) {
        return new ModelCard(
                "m",
                "1",
                "d",
                "model.onnx",
                null,
                null,
                new ModelCard.Resources(10_000_000L, 60, 2048, 1, gpus, 0.5),
                new ModelCard.Placement(mode, null, null, lambda, batch));
    }

    static Stream<Arguments> situations() {
        double tco = PriceTable.PAPER_ONPREM_TCO_USD_PER_SLOT_SECOND;
        Set<Backend> none = EnumSet.noneOf(Backend.class);
        return Stream.of(
                        new Situation(
                                "idle on-prem pool -> on-prem (capacity already paid for)",
                                auto(0.5, 2048, 0, 60, null),
                                0,
                                none,
                                0,
                                Backend.ONPREM,
                                null),
                        new Situation(
                                "on-prem backlog that would miss the deadline -> Lambda",
                                auto(0.5, 2048, 0, 60, null),
                                400,
                                none,
                                0,
                                Backend.LAMBDA,
                                null),
                        new Situation(
                                "a 20-minute model with a busy pool -> Batch (Lambda stops at 15 min)",
                                auto(1200, 4096, 0, 3600, null),
                                14400,
                                none,
                                0,
                                Backend.BATCH,
                                null),
                        new Situation(
                                "a GPU model -> Batch (neither the pool nor Lambda has a GPU)",
                                auto(5, 4096, 1, 900, null),
                                0,
                                none,
                                0,
                                Backend.BATCH,
                                null),
                        new Situation(
                                "on-prem priced at the paper's TCO -> Lambda is cheaper for a 10 s job",
                                auto(10, 2048, 0, 120, null),
                                0,
                                none,
                                tco,
                                Backend.LAMBDA,
                                null),
                        new Situation(
                                "on-prem at the paper's TCO -> the pool still wins a 0.5 s job (Lambda bills its cold start)",
                                auto(0.5, 2048, 0, 60, null),
                                0,
                                none,
                                tco,
                                Backend.ONPREM,
                                null),
                        new Situation(
                                "a cost ceiling that excludes Batch -> the deadline cannot be met within it",
                                auto(1200, 4096, 0, 3600, 0.01),
                                14400,
                                none,
                                0,
                                null,
                                FailureReason.DEADLINE_UNREACHABLE),
                        new Situation(
                                "a cost ceiling that excludes Lambda, the only backend fast enough -> FAILED naming it",
                                auto(0.5, 2048, 0, 60, 0.0000001),
                                400,
                                none,
                                0,
                                null,
                                FailureReason.DEADLINE_UNREACHABLE),
                        new Situation(
                                "a cost ceiling above the cheapest backend changes nothing",
                                auto(0.5, 2048, 0, 60, 0.001),
                                0,
                                none,
                                0,
                                Backend.ONPREM,
                                null),
                        new Situation(
                                "Lambda's breaker open with a long backlog -> Batch",
                                auto(0.5, 2048, 0, 600, null),
                                3000,
                                EnumSet.of(Backend.LAMBDA),
                                0,
                                Backend.BATCH,
                                null),
                        new Situation(
                                "nothing meets a 2 s deadline for a 5 s model -> FAILED, never waits",
                                auto(5, 2048, 0, 2, null),
                                0,
                                none,
                                0,
                                null,
                                FailureReason.DEADLINE_UNREACHABLE),
                        new Situation(
                                "GPU model and Batch down -> no backend can take it",
                                auto(5, 4096, 1, 900, null),
                                0,
                                EnumSet.of(Backend.BATCH),
                                0,
                                null,
                                FailureReason.BACKEND_UNAVAILABLE),
                        new Situation(
                                "fixed lambda -> Lambda even when the pool is idle",
                                fixed("lambda", FUNCTION, null, 0),
                                0,
                                none,
                                0,
                                Backend.LAMBDA,
                                null),
                        new Situation(
                                "fixed batch -> Batch",
                                fixed("batch", null, QUEUE, 0),
                                0,
                                none,
                                0,
                                Backend.BATCH,
                                null),
                        new Situation(
                                "fixed lambda without a function -> FAILED naming the missing configuration",
                                fixed("lambda", null, null, 0),
                                0,
                                none,
                                0,
                                null,
                                FailureReason.BACKEND_UNAVAILABLE),
                        new Situation(
                                "fixed lambda for a GPU model -> FAILED (Lambda has no GPU)",
                                fixed("lambda", FUNCTION, null, 1),
                                0,
                                none,
                                0,
                                null,
                                FailureReason.BACKEND_UNAVAILABLE),
                        new Situation(
                                "lambda-batch -> Lambda first",
                                fixed("lambda-batch", FUNCTION, QUEUE, 0),
                                0,
                                none,
                                0,
                                Backend.LAMBDA,
                                null),
                        new Situation(
                                "lambda-batch with Lambda's breaker open -> Batch",
                                fixed("lambda-batch", FUNCTION, QUEUE, 0),
                                0,
                                EnumSet.of(Backend.LAMBDA),
                                0,
                                Backend.BATCH,
                                null),
                        new Situation(
                                "fixed onprem -> the pool whatever its backlog",
                                fixed("onprem", null, null, 0),
                                5000,
                                none,
                                0,
                                Backend.ONPREM,
                                null),
                        // the owner's placement choice (ADR 0017): honoured only within the card's modes
                        new Situation(
                                "fixed onprem, lambda requested -> the pool, saying the card allows only onprem",
                                fixed("onprem", null, null, 0),
                                0,
                                none,
                                0,
                                Backend.ONPREM,
                                null,
                                Backend.LAMBDA,
                                "requested lambda; the card of 'm' allows only onprem; model card of 'm' fixes placement"),
                        new Situation(
                                "fixed lambda, lambda requested -> Lambda, as the card fixes anyway",
                                fixed("lambda", FUNCTION, null, 0),
                                0,
                                none,
                                0,
                                Backend.LAMBDA,
                                null,
                                Backend.LAMBDA,
                                "requested lambda, which the card of 'm' fixes"),
                        new Situation(
                                "fixed lambda without a function, onprem requested -> FAILED, the card's reason kept",
                                fixed("lambda", null, null, 0),
                                0,
                                none,
                                0,
                                null,
                                FailureReason.BACKEND_UNAVAILABLE,
                                Backend.ONPREM,
                                "requested onprem; the card of 'm' allows only lambda; "),
                        new Situation(
                                "auto, batch requested on an idle pool -> Batch, though the pool is cheaper and sooner",
                                auto(0.5, 2048, 0, 60, null),
                                0,
                                none,
                                0,
                                Backend.BATCH,
                                null,
                                Backend.BATCH,
                                "requested batch: AWS Batch, which the card of 'm' (auto) allows, although it is expected to"
                                        + " finish in 251 s, after the deadline"),
                        new Situation(
                                "auto, batch requested while Batch's breaker is open -> the card's choice, saying why",
                                auto(0.5, 2048, 0, 60, null),
                                0,
                                EnumSet.of(Backend.BATCH),
                                0,
                                Backend.ONPREM,
                                null,
                                Backend.BATCH,
                                "requested batch, but AWS Batch cannot take it (its circuit breaker is open);"
                                        + " auto: the on-prem pool is the cheapest"),
                        new Situation(
                                "auto without a Batch queue, batch requested -> the card's choice, saying why",
                                new ModelCard(
                                        "m",
                                        "1",
                                        "d",
                                        "model.onnx",
                                        null,
                                        null,
                                        new ModelCard.Resources(10_000_000L, 60, 2048, 1, 0, 0.5),
                                        new ModelCard.Placement("auto", 60, null, FUNCTION, null)),
                                0,
                                none,
                                0,
                                Backend.ONPREM,
                                null,
                                Backend.BATCH,
                                "requested batch, but AWS Batch cannot take it (no Batch job queue"),
                        new Situation(
                                "auto, onprem requested with a backlog past the deadline -> the pool, saying so",
                                auto(0.5, 2048, 0, 60, null),
                                400,
                                none,
                                0,
                                Backend.ONPREM,
                                null,
                                Backend.ONPREM,
                                "requested onprem: the on-prem pool, which the card of 'm' (auto) allows, although"),
                        new Situation(
                                "auto, lambda requested above the card's cost ceiling -> the card's choice",
                                auto(0.5, 2048, 0, 60, 0.0000001),
                                0,
                                none,
                                0,
                                Backend.ONPREM,
                                null,
                                Backend.LAMBDA,
                                "requested lambda, but AWS Lambda cannot take it (expected $0.00011675 exceeds the cost ceiling"),
                        new Situation(
                                "auto, lambda requested for a GPU model -> Batch, the card's choice, naming the GPU",
                                auto(5, 4096, 1, 900, null),
                                0,
                                none,
                                0,
                                Backend.BATCH,
                                null,
                                Backend.LAMBDA,
                                "requested lambda, but AWS Lambda cannot take it (Lambda has no GPU"),
                        new Situation(
                                "lambda-batch, batch requested -> Batch",
                                fixed("lambda-batch", FUNCTION, QUEUE, 0),
                                0,
                                none,
                                0,
                                Backend.BATCH,
                                null,
                                Backend.BATCH,
                                "requested batch: AWS Batch, which the card of 'm' (lambda-batch) allows"),
                        new Situation(
                                "lambda-batch, onprem requested -> Lambda, saying the card allows only lambda or batch",
                                fixed("lambda-batch", FUNCTION, QUEUE, 0),
                                0,
                                none,
                                0,
                                Backend.LAMBDA,
                                null,
                                Backend.ONPREM,
                                "requested onprem; the card of 'm' allows only lambda or batch; lambda-batch: Lambda first"))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("situations")
    void placesEachJobWhereTheTableSays(Situation s) {
        PlacementPolicy policy = new PlacementPolicy(
                PriceTable.defaults().withOnpremUsdPerSlotSecond(s.onpremPrice()),
                Estimates.defaults(),
                new RunTimes(),
                capacity(s.backlog()),
                b -> s.down().contains(b) ? Optional.of("its circuit breaker is open") : Optional.empty());
        var decision = policy.place(job().withRequestedBackend(s.requested()), Optional.of(s.card()), NOW);
        if (s.expected() != null) {
            assertThat(decision).isInstanceOfSatisfying(PlacementPolicy.Placed.class, placed -> {
                assertThat(placed.backend()).isEqualTo(s.expected());
                assertThat(placed.decision().chosen()).isEqualTo(s.expected());
                assertThat(placed.decision().alternatives())
                        .extracting(PlacementDecision.Alternative::backend)
                        .containsExactlyInAnyOrder(Backend.values());
                assertThat(placed.reason()).isNotBlank();
                assertThat(placed.decision().reason())
                        .as("the RUNNABLE event's reason")
                        .isEqualTo(placed.reason());
                if (s.reasonSays() != null) {
                    assertThat(placed.reason()).contains(s.reasonSays());
                }
            });
        } else {
            assertThat(decision).isInstanceOfSatisfying(PlacementPolicy.Rejected.class, rejected -> {
                assertThat(rejected.reason()).isEqualTo(s.expectedFailure());
                assertThat(rejected.message()).isNotBlank();
                if (s.card().placement().maxCostUsd() != null) {
                    assertThat(rejected.message()).contains("cost ceiling");
                }
                if (s.reasonSays() != null) {
                    assertThat(rejected.message()).contains(s.reasonSays());
                }
            });
        }
    }

    @Test
    void theDecisionExplainsEveryAlternativeWithItsCostAndTime() {
        PlacementPolicy policy = new PlacementPolicy(
                PriceTable.defaults(), Estimates.defaults(), new RunTimes(), capacity(400), Availability.all());
        var placed = (PlacementPolicy.Placed) policy.place(job(), Optional.of(auto(0.5, 2048, 0, 60, null)), NOW);
        Map<Backend, PlacementDecision.Alternative> byBackend = new HashMap<>();
        placed.decision().alternatives().forEach(a -> byBackend.put(a.backend(), a));
        assertThat(byBackend.get(Backend.ONPREM).eligible()).isFalse();
        assertThat(byBackend.get(Backend.ONPREM).note()).contains("deadline").contains("backlog 400");
        assertThat(byBackend.get(Backend.ONPREM).expectedSeconds()).isGreaterThan(60);
        assertThat(byBackend.get(Backend.LAMBDA).eligible()).isTrue();
        // Table 3: 3.5 s billed (cold start + run) at $0.0000000333/ms for 2,048 MB, plus the request charge
        assertThat(byBackend.get(Backend.LAMBDA).expectedCostUsd())
                .isCloseTo(3500 * 0.0000000333 + 0.0000002, Offset.offset(1e-12));
        assertThat(byBackend.get(Backend.BATCH).eligible()).isFalse();
        assertThat(byBackend.get(Backend.BATCH).note()).contains("deadline");
        assertThat(placed.decision().deadlineSeconds()).isEqualTo(60);
        assertThat(placed.estimatedCostUsd())
                .isEqualTo(byBackend.get(Backend.LAMBDA).expectedCostUsd(), Offset.offset(1e-12));
    }

    @Test
    void observedRunTimesOverrideTheCardsPrior() {
        RunTimes runTimes = new RunTimes();
        PlacementPolicy policy = new PlacementPolicy(
                PriceTable.defaults(), Estimates.defaults(), runTimes, capacity(0), Availability.all());
        ModelCard card = auto(0.5, 2048, 0, 10, null);
        assertThat(((PlacementPolicy.Placed) policy.place(job(), Optional.of(card), NOW)).backend())
                .isEqualTo(Backend.ONPREM);
        for (int i = 0; i < 30; i++) {
            runTimes.observe("m", Backend.ONPREM, 12); // the pool turns out slow for this model: 12 s > 10 s
            runTimes.observe("m", Backend.LAMBDA, 1); // and Lambda fast
        }
        assertThat(((PlacementPolicy.Placed) policy.place(job(), Optional.of(card), NOW)).backend())
                .isEqualTo(Backend.LAMBDA);
    }

    @Test
    void aLambdaTimeoutKeepsTheModelOffLambdaForThePenaltyThenLetsItTryAgain() {
        Instant[] now = {NOW};
        RunTimes runTimes = new RunTimes(() -> now[0], Duration.ofHours(1));
        PlacementPolicy policy = new PlacementPolicy(
                PriceTable.defaults(), Estimates.defaults(), runTimes, capacity(0), Availability.all());
        ModelCard card = auto(600, 4096, 0, 7200, null);
        assertThat(lambdaOf(policy.place(job(), Optional.of(card), NOW)).eligible())
                .isTrue();

        runTimes.observeTimeout("m", Backend.LAMBDA, PlacementPolicy.LAMBDA_MAX_SECONDS);
        PlacementDecision.Alternative after = lambdaOf(policy.place(job(), Optional.of(card), NOW));
        assertThat(after.eligible()).isFalse();
        assertThat(after.note()).contains("15-minute limit");

        now[0] = NOW.plus(Duration.ofMinutes(61));
        assertThat(lambdaOf(policy.place(job(), Optional.of(card), now[0])).eligible())
                .isTrue();
    }

    @Test
    void aFixedLambdaModeIsNotOverruledByRunTimeEstimates() {
        RunTimes runTimes = new RunTimes();
        PlacementPolicy policy = new PlacementPolicy(
                PriceTable.defaults(), Estimates.defaults(), runTimes, capacity(0), Availability.all());
        ModelCard card = fixed("lambda", FUNCTION, null, 0);
        runTimes.observeTimeout("m", Backend.LAMBDA, 60);
        assertThat(policy.place(job(), Optional.of(card), NOW))
                .isInstanceOfSatisfying(
                        PlacementPolicy.Placed.class,
                        placed -> assertThat(placed.backend()).isEqualTo(Backend.LAMBDA));
    }

    private static PlacementDecision.Alternative lambdaOf(PlacementPolicy.Decision decision) {
        return ((PlacementPolicy.Placed) decision)
                .decision().alternatives().stream()
                        .filter(a -> a.backend() == Backend.LAMBDA)
                        .findFirst()
                        .orElseThrow();
    }

    @Test
    void aBurstSharesLambdasColdStartSoLambdaCanWinIt() {
        ModelCard card = auto(0.3, 1024, 0, 60, null);
        PriceTable tco =
                PriceTable.defaults().withOnpremUsdPerSlotSecond(PriceTable.PAPER_ONPREM_TCO_USD_PER_SLOT_SECOND);
        PlacementPolicy alone = new PlacementPolicy(
                tco, Estimates.defaults(), new RunTimes(), Capacity.fixed(0, 0, 2, false), Availability.all());
        assertThat(((PlacementPolicy.Placed) alone.place(job(), Optional.of(card), NOW)).backend())
                .as("one job does not pay for a cold start")
                .isEqualTo(Backend.ONPREM);
        Capacity burst = new Capacity() {
            @Override
            public int onpremBacklog(String model) {
                return 0;
            }

            @Override
            public double onpremWorkAheadSeconds(String model) {
                return 0;
            }

            @Override
            public int onpremSlots(String model) {
                return 2;
            }

            @Override
            public int recentArrivals(String model) {
                return 200;
            }

            @Override
            public boolean warm(String model, Backend backend) {
                return false;
            }
        };
        PlacementPolicy busy =
                new PlacementPolicy(tco, Estimates.defaults(), new RunTimes(), burst, Availability.all());
        assertThat(((PlacementPolicy.Placed) busy.place(job(), Optional.of(card), NOW)).backend())
                .as("200 jobs share one cold start")
                .isEqualTo(Backend.LAMBDA);
    }

    @Test
    void timeAlreadySpentCountsAgainstTheDeadline() {
        PlacementPolicy policy = new PlacementPolicy(
                PriceTable.defaults(), Estimates.defaults(), new RunTimes(), capacity(0), Availability.all());
        JobRequested old = new JobRequested(
                "j-1", "m", "alice", ObjectRef.of("b", "m/alice/x"), NOW.minusSeconds(59), "minio-kafka");
        var decision = policy.place(old, Optional.of(auto(0.5, 2048, 0, 60, null)), NOW);
        assertThat(decision)
                .isInstanceOfSatisfying(
                        PlacementPolicy.Rejected.class,
                        r -> assertThat(r.reason()).isEqualTo(FailureReason.DEADLINE_UNREACHABLE));
    }

    @Test
    void aRetryOfAnOldJobHasItsWholeDeadlineFromNow() {
        PlacementPolicy policy = new PlacementPolicy(
                PriceTable.defaults(), Estimates.defaults(), new RunTimes(), capacity(0), Availability.all());
        JobRequested retry = new JobRequested(
                "j-1", "m", "alice", ObjectRef.of("b", "m/alice/x"), NOW.minusSeconds(3600), "retry", null, 2);
        assertThat(policy.place(retry, Optional.of(auto(0.5, 2048, 0, 60, null)), NOW))
                .isInstanceOfSatisfying(
                        PlacementPolicy.Placed.class,
                        placed -> assertThat(placed.backend()).isEqualTo(Backend.ONPREM));
    }

    @Test
    void aRequestedBackendThatRefusesTheJobAtDispatchFallsBackOnTheCardsChoice() {
        PlacementPolicy policy = new PlacementPolicy(
                PriceTable.defaults(), Estimates.defaults(), new RunTimes(), capacity(400), Availability.all());
        var placed = (PlacementPolicy.Placed)
                policy.place(job().withRequestedBackend(Backend.BATCH), Optional.of(auto(0.5, 2048, 0, 60, null)), NOW);
        assertThat(placed.backend()).isEqualTo(Backend.BATCH);
        assertThat(placed.fallbacks())
                .as("auto's own choice, Lambda (the pool misses the deadline)")
                .containsExactly(Backend.LAMBDA);
        assertThat(placed.decision().mode()).isEqualTo("auto");
        assertThat(placed.decision().deadlineSeconds()).isEqualTo(60);
    }

    @Test
    void unknownModelsAndOversizedInputsAreRejectedBeforePlacement() {
        PlacementPolicy policy = new PlacementPolicy(
                PriceTable.defaults(), Estimates.defaults(), new RunTimes(), capacity(0), Availability.all());
        assertThat(policy.place(job(), Optional.empty(), NOW))
                .isInstanceOfSatisfying(PlacementPolicy.Rejected.class, r -> {
                    assertThat(r.reason()).isEqualTo(FailureReason.UNKNOWN_MODEL);
                    assertThat(r.message()).contains("'m'");
                });
        ModelCard tiny = new ModelCard(
                "m",
                "1",
                "d",
                "model.onnx",
                null,
                null,
                new ModelCard.Resources(10L, 60, 512, 1, null, null),
                ModelCard.Placement.of("onprem"));
        assertThat(policy.place(job(), Optional.of(tiny), NOW))
                .isInstanceOfSatisfying(
                        PlacementPolicy.Rejected.class,
                        r -> assertThat(r.reason()).isEqualTo(FailureReason.INPUT_TOO_LARGE));
    }

    @Test
    void anUnknownModeIsRejectedNamingTheValidOnes() {
        PlacementPolicy policy = new PlacementPolicy(
                PriceTable.defaults(), Estimates.defaults(), new RunTimes(), capacity(0), Availability.all());
        ModelCard odd =
                new ModelCard("m", "1", "d", "model.onnx", null, null, null, ModelCard.Placement.of("cheapest"));
        assertThat(policy.place(job(), Optional.of(odd), NOW))
                .isInstanceOfSatisfying(
                        PlacementPolicy.Rejected.class,
                        r -> assertThat(r.message()).contains("cheapest").contains("auto"));
    }

    private static JobRequested job() {
        return new JobRequested(
                "j-1", "m", "alice", new ObjectRef("b", "m/alice/x.png", null, "e", 100L, null), NOW, "minio-kafka");
    }

    /** {@code backlog} jobs of half a second each on two slots. */
    private static Capacity capacity(int backlog) {
        return Capacity.fixed(backlog, backlog * 0.5, 2, false);
    }

    @Test
    void everyAlternativeIsListedEvenForFixedModes() {
        PlacementPolicy policy = new PlacementPolicy(
                PriceTable.defaults(), Estimates.defaults(), new RunTimes(), capacity(0), Availability.all());
        var placed = (PlacementPolicy.Placed) policy.place(job(), Optional.of(fixed("onprem", null, null, 0)), NOW);
        assertThat(placed.decision().alternatives()).hasSize(3);
        assertThat(placed.decision().mode()).isEqualTo("onprem");
        assertThat(List.of(placed.fallbacks())).containsExactly(List.of());
    }
}
