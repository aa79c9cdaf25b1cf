package io.infermesh.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The input-size limit a card sets: one accessor and one sentence, used by the router and every worker runner. */
class ModelCardLimitsTests {

    private static ModelCard card(Long maxInputBytes) {
        return new ModelCard(
                "digits",
                "1",
                null,
                "model.onnx",
                null,
                null,
                maxInputBytes == null ? null : new ModelCard.Resources(maxInputBytes, null, null, null, null, null),
                null);
    }

    @Test
    void anInputOverTheLimitIsRefusedWithItsSizeAndTheLimit() {
        assertThat(card(65_536L).maxInputBytes()).hasValue(65_536L);
        assertThat(card(65_536L).inputTooLarge(70_000))
                .hasValue("the input is 70000 bytes; model 'digits' accepts at most 65536 bytes");
    }

    @Test
    void anInputAtTheLimitIsAccepted() {
        assertThat(card(65_536L).inputTooLarge(65_536)).isEmpty();
    }

    @Test
    void aCardWithoutResourcesOrWithoutALimitAcceptsAnySize() {
        assertThat(card(null).maxInputBytes()).isEmpty();
        assertThat(card(null).inputTooLarge(Long.MAX_VALUE)).isEmpty();
        ModelCard noLimit = new ModelCard(
                "digits",
                "1",
                null,
                "model.onnx",
                null,
                null,
                new ModelCard.Resources(null, 30, null, null, null, null),
                null);
        assertThat(noLimit.maxInputBytes()).isEmpty();
        assertThat(noLimit.inputTooLarge(1L << 40)).isEmpty();
    }
}
