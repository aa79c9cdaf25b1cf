package io.infermesh.router.placement.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.Backend;
import io.infermesh.router.placement.Estimates;
import io.infermesh.router.placement.PlacementPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the placement simulation says about the real policy on a small mixed workload (400 jobs over two simulated
 * hours, seed 42), under both on-prem prices: {@code auto} misses no more deadlines than any fixed mode, and no
 * fixed mode that meets as many deadlines is cheaper. See the router's README, "Benchmarks".
 */
class PlacementSimulationTests {

    private static final Estimates ESTIMATES = Estimates.defaults();
    private static final SyntheticWorkload WORKLOAD = SyntheticWorkload.generate(42, 400, 7_200);
    private static final List<PlacementSim.Comparison> COMPARISONS = PlacementSim.compare(WORKLOAD, ESTIMATES);

    @Test
    void theSameSeedGivesTheSameNumbers() {
        SyntheticWorkload again = SyntheticWorkload.generate(42, 400, 7_200);
        List<PlacementSim.Comparison> replay = PlacementSim.compare(again, ESTIMATES);

        assertThat(again.jobs()).isEqualTo(WORKLOAD.jobs());
        assertThat(PlacementSim.csv(replay)).isEqualTo(PlacementSim.csv(COMPARISONS));
        assertThat(PlacementSim.jobsCsv(replay)).isEqualTo(PlacementSim.jobsCsv(COMPARISONS));
        assertThat(PlacementSim.csv(PlacementSim.compare(SyntheticWorkload.generate(43, 400, 7_200), ESTIMATES)))
                .as("another seed is another workload")
                .isNotEqualTo(PlacementSim.csv(COMPARISONS));
    }

    @Test
    void theWorkloadMixesBurstsAndAllFourModelKinds() {
        assertThat(WORKLOAD.jobs()).hasSize(400);
        assertThat(WORKLOAD.burstJobs()).isEqualTo(200);
        for (var card : SyntheticWorkload.modelCards()) {
            assertThat(WORKLOAD.count(card.name())).as(card.name()).isPositive();
        }
    }

    @Test
    void gpuJobsAreRejectedOnPremAndOnLambdaAndRunOnBatchOtherwise() {
        for (PlacementSim.Comparison comparison : COMPARISONS) {
            for (PlacementSimulation.Run run : comparison.runs()) {
                var gpuJobs = run.outcomes().stream()
                        .filter(o -> o.job().card().name().equals(SyntheticWorkload.GPU))
                        .toList();
                assertThat(gpuJobs).isNotEmpty();
                if (run.mode().equals("onprem") || run.mode().equals("lambda")) {
                    assertThat(gpuJobs).as(run.mode()).allSatisfy(o -> {
                        assertThat(o.status()).isEqualTo(PlacementSimulation.Status.REJECTED);
                        assertThat(o.reason()).contains("GPU");
                        assertThat(o.missedDeadline()).isTrue();
                    });
                } else {
                    assertThat(gpuJobs)
                            .as(run.mode())
                            .allSatisfy(o -> assertThat(o.attempts()).containsExactly(Backend.BATCH));
                }
            }
        }
    }

    @Test
    void autoCostsLessThanBatchOnly() {
        for (PlacementSim.Comparison comparison : COMPARISONS) {
            assertThat(comparison.run("auto").costUsd())
                    .as(comparison.setting().name())
                    .isLessThan(comparison.run("batch").costUsd());
        }
    }

    @Test
    void autoRejectsNothingThatSomeBackendCanRunInTime() {
        for (PlacementSim.Comparison comparison : COMPARISONS) {
            assertThat(comparison.run("auto").rejected())
                    .as(comparison.setting().name())
                    .isZero();
        }
    }

    @Test
    void lambdaBatchSendsALambdaTimeoutToBatchAndPaysForBoth() {
        // seed 7: a short first run of the 20-minute model on Batch brings its expected run under 15 minutes, so
        // lambda-batch tries Lambda for the next ones, which time out
        SyntheticWorkload workload = SyntheticWorkload.generate(7, 400, 7_200);
        var prices = PlacementSim.PRICE_SETTINGS.getFirst().prices();
        PlacementSimulation.Run lambdaBatch = PlacementSimulation.run(workload, "lambda-batch", prices, ESTIMATES);
        PlacementSimulation.Run batch = PlacementSimulation.run(workload, "batch", prices, ESTIMATES);

        var retried = lambdaBatch.outcomes().stream()
                .filter(o -> o.lambdaTimeouts() > 0)
                .toList();
        assertThat(retried).isNotEmpty().allSatisfy(o -> {
            assertThat(o.job().card().name()).isEqualTo(SyntheticWorkload.TWENTY_MINUTES);
            assertThat(o.attempts()).containsExactly(Backend.LAMBDA, Backend.BATCH);
            assertThat(o.status()).isEqualTo(PlacementSimulation.Status.SUCCEEDED);
            assertThat(o.completionSeconds()).isGreaterThan(PlacementPolicy.LAMBDA_MAX_SECONDS);
            var onBatchOnly = batch.outcomes().stream()
                    .filter(b -> b.job().id().equals(o.job().id()))
                    .findFirst()
                    .orElseThrow();
            assertThat(o.costUsd()).isGreaterThan(onBatchOnly.costUsd());
        });
    }

    @Test
    void autoMissesNoMoreDeadlinesThanAnyFixedMode() {
        for (PlacementSim.Comparison comparison : COMPARISONS) {
            long auto = comparison.run("auto").deadlineMisses();
            for (String mode : List.of("onprem", "lambda", "batch", "lambda-batch")) {
                assertThat(auto)
                        .as(comparison.setting().name() + ": auto against " + mode)
                        .isLessThanOrEqualTo(comparison.run(mode).deadlineMisses());
            }
        }
    }

    @Test
    void autoIsTheCheapestPolicyThatMeetsAsManyDeadlines() {
        for (PlacementSim.Comparison comparison : COMPARISONS) {
            PlacementSimulation.Run auto = comparison.run("auto");
            for (String mode : List.of("onprem", "lambda", "batch", "lambda-batch")) {
                PlacementSimulation.Run fixed = comparison.run(mode);
                if (fixed.deadlineMisses() <= auto.deadlineMisses()) {
                    assertThat(auto.costUsd())
                            .as(comparison.setting().name() + ": auto against " + mode
                                    + ", which misses no more deadlines")
                            .isLessThanOrEqualTo(fixed.costUsd());
                }
            }
        }
    }
}
