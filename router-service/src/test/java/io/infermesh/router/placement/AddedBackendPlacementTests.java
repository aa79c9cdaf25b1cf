package io.infermesh.router.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.PlacementDecision.Alternative;
import io.infermesh.router.flatrate.FlatRateBackend;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A backend added through the SPI ({@link FlatRateBackend}: one class) is placed on by the same policy as the shipped
 * ones: chosen by {@code auto} when it is the cheapest to meet the deadline, refused when the model is over its
 * limits, and named by a fixed mode.
 */
class AddedBackendPlacementTests {

    private static final Instant NOW = Instant.parse("2026-12-04T03:00:00Z");
    private static final ModelCard.LambdaTarget FUNCTION = new ModelCard.LambdaTarget("infermesh-model", null);
    private static final ModelCard.BatchTarget QUEUE = new ModelCard.BatchTarget("infermesh-cpu", "infermesh-model:1");

    private final FlatRateBackend flatRate = new FlatRateBackend(0.00001, 1, 4_096);

    /** The shipped backends at the paper's on-prem TCO price (so that the pool's slots cost), plus the flat rate. */
    private PlacementPolicy policy() {
        PriceTable tco =
                PriceTable.defaults().withOnpremUsdPerSlotSecond(PriceTable.PAPER_ONPREM_TCO_USD_PER_SLOT_SECOND);
        List<BackendModel> backends = new ArrayList<>(PlacementPolicy.shipped(tco, Estimates.defaults()));
        backends.add(flatRate);
        return new PlacementPolicy(
                backends, Estimates.defaults(), new RunTimes(), Capacity.fixed(0, 0, 2, true), Availability.all());
    }

    private static ModelCard card(String mode, int memoryMb) {
        return new ModelCard(
                "m",
                "1",
                "d",
                "model.onnx",
                null,
                null,
                new ModelCard.Resources(10_000_000L, 60, memoryMb, 1, 0, 0.5),
                new ModelCard.Placement(mode, 60, null, FUNCTION, QUEUE));
    }

    private PlacementPolicy.Decision place(ModelCard card) {
        return policy().place(new JobRequested("j", "m", "alice", null, NOW, "test"), Optional.of(card), NOW);
    }

    @Test
    void autoChoosesTheAddedBackendWhenItIsTheCheapestToMeetTheDeadline() {
        PlacementPolicy.Placed placed = (PlacementPolicy.Placed) place(card("auto", 2048));

        assertThat(placed.target()).isEqualTo("flat-rate");
        assertThat(placed.backend())
                .as("no wire value for an added backend (ADR 0023)")
                .isNull();
        assertThat(placed.estimatedCostUsd()).isEqualTo(0.00001);
        assertThat(placed.reason())
                .isEqualTo("auto: the flat-rate test backend is the cheapest backend expected to finish before the"
                        + " deadline ($0.00001, 1.50 s)");
        assertThat(placed.fallbackTargets()).containsExactly("lambda", "onprem", "batch");
        assertThat(placed.decision().chosen()).isNull();
        assertThat(placed.decision().alternatives())
                .extracting(Alternative::note)
                .last()
                .isEqualTo("flat-rate: flat $1.0E-5 per job, start 1.00 s");
    }

    @Test
    void aModelOverTheAddedBackendsLimitsGoesElsewhereAndTheDecisionSaysWhy() {
        PlacementPolicy.Placed placed = (PlacementPolicy.Placed) place(card("auto", 8_192));

        assertThat(placed.target()).isEqualTo("onprem");
        assertThat(placed.fallbackTargets()).doesNotContain("flat-rate");
        assertThat(placed.decision().alternatives())
                .filteredOn(a -> a.note().startsWith("flat-rate: "))
                .singleElement()
                .satisfies(a -> {
                    assertThat(a.eligible()).isFalse();
                    assertThat(a.note())
                            .isEqualTo("flat-rate: the model needs 8192 MB; the flat-rate backend offers at most"
                                    + " 4096 MB");
                });
    }

    @Test
    void aCardFixedToTheAddedBackendIsPlacedThereOrRejectedWithItsReason() {
        PlacementPolicy.Placed placed = (PlacementPolicy.Placed) place(card("flat-rate", 2048));
        assertThat(placed.target()).isEqualTo("flat-rate");
        assertThat(placed.reason()).isEqualTo("model card of 'm' fixes placement to the flat-rate test backend");

        PlacementPolicy.Rejected rejected = (PlacementPolicy.Rejected) place(card("flat-rate", 8_192));
        assertThat(rejected.reason()).isEqualTo(FailureReason.BACKEND_UNAVAILABLE);
        assertThat(rejected.message())
                .isEqualTo("model card of 'm' fixes placement to the flat-rate test backend, which cannot take the"
                        + " job: the model needs 8192 MB; the flat-rate backend offers at most 4096 MB");
    }

    @Test
    void anUnknownModeNamesTheAddedBackendAmongTheModes() {
        PlacementPolicy.Rejected rejected = (PlacementPolicy.Rejected) place(card("gcp", 2048));
        assertThat(rejected.message())
                .isEqualTo("model card of 'm' has placement mode 'gcp'; use onprem, lambda, batch, flat-rate,"
                        + " lambda-batch or auto");
    }
}
