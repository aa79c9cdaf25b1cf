package io.infermesh.worker.cancellations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CancelledJobsTests {

    @Test
    void aCancellationIsOfOneAttemptOfOneJob() {
        CancelledJobs cancelled = new CancelledJobs(10);
        assertThat(cancelled.add("j-1", 2)).isTrue();

        assertThat(cancelled.contains("j-1", 2)).isTrue();
        assertThat(cancelled.contains("j-1", 3))
                .as("a later attempt is another dispatch")
                .isFalse();
        assertThat(cancelled.contains("j-2", 2)).isFalse();
        assertThat(cancelled.contains(null, 2)).isFalse();
    }

    @Test
    void hearingTheSameCancellationTwiceKeepsOne() {
        CancelledJobs cancelled = new CancelledJobs(10);
        cancelled.add("j-1", 1);
        assertThat(cancelled.add("j-1", 1)).isFalse();
        assertThat(cancelled.size()).isEqualTo(1);
    }

    @Test
    void whenFullTheOldestHeardIsForgottenFirst() {
        CancelledJobs cancelled = new CancelledJobs(2);
        cancelled.add("j-1", 1);
        cancelled.add("j-2", 1);
        cancelled.add("j-1", 1); // heard again: still the oldest
        cancelled.add("j-3", 1);

        assertThat(cancelled.size()).isEqualTo(2);
        assertThat(cancelled.contains("j-1", 1)).isFalse();
        assertThat(cancelled.contains("j-2", 1)).isTrue();
        assertThat(cancelled.contains("j-3", 1)).isTrue();
    }

    @Test
    void aSetThatCanHoldNothingIsAConfigurationError() {
        assertThatThrownBy(() -> new CancelledJobs(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity must be at least 1, was 0");
    }
}
