package io.infermesh.status.deadletters;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobStatus;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeadLetterSettlementTests {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    @Test
    void aJobStillInProgressFailsAtItsCurrentAttemptSayingWhereAndWhy() {
        var failed = DeadLetterSettlement.settle(
                        "j",
                        Optional.of(new DeadLetterSettlement.Current(2, JobStatus.RUNNABLE, "digits", "alice")),
                        "infermesh.jobs.dispatch.digits.dlq",
                        "Cannot parse",
                        NOW)
                .orElseThrow();
        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.attempt()).isEqualTo(2);
        assertThat(failed.reason()).isEqualTo(FailureReason.DEAD_LETTERED);
        assertThat(failed.model()).isEqualTo("digits");
        assertThat(failed.message())
                .contains("infermesh.jobs.dispatch.digits.dlq")
                .contains("Cannot parse");
    }

    @Test
    void aJobThatAlreadyEndedIsLeftAlone() {
        assertThat(DeadLetterSettlement.settle(
                        "j",
                        Optional.of(new DeadLetterSettlement.Current(1, JobStatus.SUCCEEDED, "digits", "alice")),
                        "t",
                        "x",
                        NOW))
                .isEmpty();
    }

    @Test
    void aJobTheStoreHasNotSeenYetStillEndsFailedAtItsFirstAttempt() {
        var failed = DeadLetterSettlement.settle("j", Optional.empty(), "infermesh.jobs.requested.dlq", null, NOW)
                .orElseThrow();
        assertThat(failed.attempt()).isEqualTo(1);
        assertThat(failed.model()).isEqualTo("unknown");
    }

    @Test
    void aDeadLetterWithoutAKeyCannotNameAJob() {
        assertThat(DeadLetterSettlement.settle(null, Optional.empty(), "t", "x", NOW))
                .isEmpty();
    }
}
