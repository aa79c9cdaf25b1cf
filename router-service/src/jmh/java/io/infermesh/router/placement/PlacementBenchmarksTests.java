package io.infermesh.router.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.Backend;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link PlacementBenchmarks} measures the decisions it names. No timing is asserted here. */
class PlacementBenchmarksTests {

    @Test
    void anIdlePoolTakesTheJobAndABusyOneLeavesItToLambda() {
        var runTimes = PlacementBenchmarks.runTimes();
        var card = Optional.of(PlacementBenchmarks.card());

        var warm = PlacementBenchmarks.policy(PlacementBenchmarks.WARM, runTimes)
                .place(PlacementBenchmarks.job(), card, PlacementBenchmarks.NOW);
        var busy = PlacementBenchmarks.policy(PlacementBenchmarks.BUSY, runTimes)
                .place(PlacementBenchmarks.job(), card, PlacementBenchmarks.NOW);

        assertThat(warm).isInstanceOfSatisfying(PlacementPolicy.Placed.class,
                placed -> assertThat(placed.backend()).isEqualTo(Backend.ONPREM));
        assertThat(busy).isInstanceOfSatisfying(PlacementPolicy.Placed.class, placed -> {
            assertThat(placed.backend()).isEqualTo(Backend.LAMBDA);
            assertThat(placed.decision().alternatives()).hasSize(3)
                    .anySatisfy(a -> assertThat(a.note()).contains("after the deadline"));
        });
    }
}
