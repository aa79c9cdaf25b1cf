package io.infermesh.router.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.ObjectRef;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouterTests {

    private final Router router = new Router();

    private static JobRequested job(String model, long size) {
        return new JobRequested("j-1", model, "alice",
                new ObjectRef("infermesh", "inbox/" + model + "/alice/a.png", null, "e", size, "image/png"),
                Instant.now(), "minio-kafka");
    }

    private static ModelCard card(String mode, long maxBytes) {
        return new ModelCard("digits", "1", "d", "model.onnx", null,
                new ModelCard.Output(List.of("0", "1"), true, 5, null),
                new ModelCard.Resources(maxBytes, 60, 512, 1), new ModelCard.Placement(mode));
    }

    @Test
    void anOnPremCardPlacesOnThePoolAndSaysWhy() {
        var decision = router.place(job("digits", 100), Optional.of(card("onprem", 1000)));
        assertThat(decision).isInstanceOfSatisfying(Router.Placed.class, placed -> {
            assertThat(placed.backend()).isEqualTo(Backend.ONPREM);
            assertThat(placed.reason()).contains("digits").contains("on-prem");
        });
    }

    @Test
    void anUnknownModelIsRejectedNamingIt() {
        var decision = router.place(job("nope", 100), Optional.empty());
        assertThat(decision).isInstanceOfSatisfying(Router.Rejected.class, rejected -> {
            assertThat(rejected.reason()).isEqualTo(FailureReason.UNKNOWN_MODEL);
            assertThat(rejected.message()).contains("'nope'");
        });
    }

    @Test
    void anInputOverTheCardsLimitIsRejectedWithBothSizes() {
        var decision = router.place(job("digits", 5000), Optional.of(card("onprem", 1000)));
        assertThat(decision).isInstanceOfSatisfying(Router.Rejected.class, rejected -> {
            assertThat(rejected.reason()).isEqualTo(FailureReason.INPUT_TOO_LARGE);
            assertThat(rejected.message()).contains("5000").contains("1000");
        });
    }
}
