package io.infermesh.contracts;

import static io.infermesh.contracts.JobStatus.FAILED;
import static io.infermesh.contracts.JobStatus.PENDING;
import static io.infermesh.contracts.JobStatus.RUNNABLE;
import static io.infermesh.contracts.JobStatus.RUNNING;
import static io.infermesh.contracts.JobStatus.STARTING;
import static io.infermesh.contracts.JobStatus.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class JobStatusTransitionTests {

    @Test
    void theHappyPathIsLegalStepByStep() {
        JobStatus[] path = {PENDING, RUNNABLE, STARTING, RUNNING, SUCCEEDED};
        for (int i = 0; i + 1 < path.length; i++) {
            assertThat(path[i].canMoveTo(1, path[i + 1], 1))
                    .as("%s -> %s", path[i], path[i + 1])
                    .isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = JobStatus.class,
            names = {"PENDING", "RUNNABLE", "STARTING", "RUNNING"})
    void anyUnfinishedJobMayFail(JobStatus from) {
        assertThat(from.canMoveTo(1, FAILED, 1)).isTrue();
    }

    @ParameterizedTest
    @CsvSource({
        "SUCCEEDED, RUNNING",
        "SUCCEEDED, FAILED",
        "FAILED, SUCCEEDED",
        "RUNNING, STARTING",
        "PENDING, RUNNING",
        "PENDING, SUCCEEDED",
        "RUNNABLE, PENDING",
        "STARTING, SUCCEEDED",
        "FAILED, RUNNABLE"
    })
    void illegalMovesWithinAnAttemptAreRejectedWithBothEndsNamed(JobStatus from, JobStatus to) {
        assertThat(from.canMoveTo(1, to, 1)).isFalse();
        assertThatThrownBy(() -> from.checkMoveTo(1, to, 1))
                .isInstanceOf(JobStatus.IllegalTransitionException.class)
                .hasMessageContaining(from.name())
                .hasMessageContaining(to.name());
    }

    @Test
    void aReDispatchStartsTheNextAttemptAtRunnable() {
        assertThat(FAILED.canMoveTo(1, RUNNABLE, 2)).isTrue();
        assertThat(RUNNING.canMoveTo(1, RUNNABLE, 2))
                .as("a timed-out run is re-dispatched")
                .isTrue();
        assertThat(FAILED.canMoveTo(1, RUNNING, 2))
                .as("a new attempt begins at RUNNABLE")
                .isFalse();
        assertThat(FAILED.canMoveTo(1, RUNNABLE, 3))
                .as("attempts are not skipped")
                .isFalse();
        assertThat(SUCCEEDED.canMoveTo(1, RUNNABLE, 2)).as("a success is final").isFalse();
        assertThat(RUNNABLE.canMoveTo(2, RUNNING, 1))
                .as("no going back to an older attempt")
                .isFalse();
    }

    @Test
    void terminalStatusesShareTheHighestRank() {
        assertThat(SUCCEEDED.isTerminal()).isTrue();
        assertThat(FAILED.isTerminal()).isTrue();
        assertThat(RUNNING.isTerminal()).isFalse();
        assertThat(SUCCEEDED.rank()).isEqualTo(FAILED.rank()).isGreaterThan(RUNNING.rank());
    }
}
