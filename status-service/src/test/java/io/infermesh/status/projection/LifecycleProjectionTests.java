package io.infermesh.status.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.status.projection.LifecycleProjection.JobState;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;

class LifecycleProjectionTests {

    private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

    private final LifecycleProjection projection = new LifecycleProjection();

    @Test
    void aLaterStatusOfTheSameAttemptSupersedes() {
        assertThat(LifecycleProjection.supersedes(1, JobStatus.RUNNING, 1, JobStatus.STARTING))
                .isTrue();
        assertThat(LifecycleProjection.supersedes(1, JobStatus.SUCCEEDED, 1, JobStatus.PENDING))
                .isTrue();
    }

    @Test
    void anEarlierOrEqualRankOfTheSameAttemptIsStale() {
        assertThat(LifecycleProjection.supersedes(1, JobStatus.RUNNING, 1, JobStatus.SUCCEEDED))
                .isFalse();
        assertThat(LifecycleProjection.supersedes(1, JobStatus.RUNNING, 1, JobStatus.RUNNING))
                .isFalse();
    }

    @Test
    void theFirstTerminalStatusOfAnAttemptStays() {
        assertThat(LifecycleProjection.supersedes(1, JobStatus.FAILED, 1, JobStatus.SUCCEEDED))
                .isFalse();
        assertThat(LifecycleProjection.supersedes(1, JobStatus.SUCCEEDED, 1, JobStatus.FAILED))
                .isFalse();
    }

    @Test
    void aNewAttemptSupersedesAnyStatusOfAnOlderOne() {
        assertThat(LifecycleProjection.supersedes(2, JobStatus.RUNNABLE, 1, JobStatus.FAILED))
                .isTrue();
        assertThat(LifecycleProjection.supersedes(1, JobStatus.SUCCEEDED, 2, JobStatus.RUNNABLE))
                .isFalse();
    }

    @Test
    void aSucceededOrCancelledJobIsFinalEvenForAnotherAttempt() {
        assertThat(LifecycleProjection.supersedes(2, JobStatus.FAILED, 1, JobStatus.SUCCEEDED))
                .isFalse();
        assertThat(LifecycleProjection.supersedes(2, JobStatus.RUNNABLE, 1, JobStatus.SUCCEEDED))
                .isFalse();
        assertThat(LifecycleProjection.supersedes(2, JobStatus.RUNNABLE, 1, JobStatus.CANCELLED))
                .isFalse();
        assertThat(LifecycleProjection.supersedes(1, JobStatus.SUCCEEDED, 1, JobStatus.CANCELLED))
                .isFalse();
        assertThat(LifecycleProjection.supersedes(2, JobStatus.PENDING, 1, JobStatus.FAILED))
                .isTrue();
    }

    @Test
    void aCancelMovesAJobOnlyBeforeItStartedRunning() {
        for (JobStatus before : new JobStatus[] {JobStatus.PENDING, JobStatus.RUNNABLE, JobStatus.STARTING}) {
            assertThat(LifecycleProjection.supersedes(1, JobStatus.CANCELLED, 1, before))
                    .as(before.name())
                    .isTrue();
        }
        for (JobStatus after : new JobStatus[] {JobStatus.RUNNING, JobStatus.SUCCEEDED, JobStatus.FAILED}) {
            assertThat(LifecycleProjection.supersedes(1, JobStatus.CANCELLED, 1, after))
                    .as(after.name())
                    .isFalse();
        }
        assertThat(LifecycleProjection.supersedes(1, JobStatus.CANCELLED, 2, JobStatus.PENDING))
                .isFalse();
    }

    @Test
    void aWellFormedEventIsAcceptedAsItIs() {
        JobStatusChanged event = JobStatusChanged.of("job-1", "mnist", "alice", JobStatus.PENDING, 1, NOW);

        assertThat(projection.accept(event, CloudEventTypes.JOB_STATUS_CHANGED)).isSameAs(event);
        assertThat(projection.accept(event, null)).isSameAs(event);
    }

    @Test
    void aRecordThatIsNotAJobStatusChangeIsRejectedSayingWhy() {
        assertThatThrownBy(() -> projection.accept("not json".getBytes(), null))
                .isInstanceOf(RejectedEvent.class)
                .hasMessageContaining("not a JobStatusChanged");
        assertThatThrownBy(() -> projection.accept(
                        JobStatusChanged.of("job-1", "m", "o", JobStatus.PENDING, 1, NOW), CloudEventTypes.JOB_RESULT))
                .isInstanceOf(RejectedEvent.class)
                .hasMessageContaining(CloudEventTypes.JOB_RESULT);
    }

    @Test
    void anEventMissingWhatTheProjectionNeedsIsRejectedSayingWhat() {
        assertThatThrownBy(() -> projection.accept(JobStatusChanged.of(" ", "m", "o", JobStatus.PENDING, 1, NOW), null))
                .isInstanceOf(RejectedEvent.class)
                .hasMessageContaining("no jobId");
        assertThatThrownBy(() -> projection.accept(JobStatusChanged.of("job-1", "m", "o", null, 1, NOW), null))
                .isInstanceOf(RejectedEvent.class)
                .hasMessageContaining("no status");
        assertThatThrownBy(() ->
                        projection.accept(JobStatusChanged.of("job-1", "m", "o", JobStatus.PENDING, 0, NOW), null))
                .isInstanceOf(RejectedEvent.class)
                .hasMessageContaining("attempt 0");
        assertThatThrownBy(() ->
                        projection.accept(JobStatusChanged.of("job-1", "m", "o", JobStatus.PENDING, 1, null), null))
                .isInstanceOf(RejectedEvent.class)
                .hasMessageContaining("no occurredAt");
        JobStatusChanged withoutId = new ObjectMapper()
                .readValue(
                        "{\"jobId\":\"job-1\",\"status\":\"PENDING\",\"attempt\":1,\"occurredAt\":\"2025-01-01T12:00:00Z\"}",
                        JobStatusChanged.class);
        assertThatThrownBy(() -> projection.accept(withoutId, null))
                .isInstanceOf(RejectedEvent.class)
                .hasMessageContaining("no eventId");
    }

    @Test
    void anEventAlreadyInTheHistoryIsADuplicate() {
        JobStatusChanged event = JobStatusChanged.of("job-1", "m", "o", JobStatus.RUNNING, 1, NOW);

        assertThat(LifecycleProjection.outcome(event, false, null)).isEqualTo(Outcome.DUPLICATE);
    }

    @Test
    void aNewEventThatLeavesTheJobAtItsStatusWasApplied() {
        JobStatusChanged event = JobStatusChanged.of("job-1", "m", "o", JobStatus.RUNNING, 1, NOW);

        assertThat(LifecycleProjection.outcome(event, true, new JobState(1, JobStatus.RUNNING)))
                .isEqualTo(Outcome.APPLIED);
    }

    @Test
    void aNewEventThatLeavesTheJobElsewhereOrUntouchedIsStale() {
        JobStatusChanged event = JobStatusChanged.of("job-1", "m", "o", JobStatus.RUNNING, 1, NOW);

        assertThat(LifecycleProjection.outcome(event, true, new JobState(1, JobStatus.SUCCEEDED)))
                .isEqualTo(Outcome.STALE);
        assertThat(LifecycleProjection.outcome(event, true, null)).isEqualTo(Outcome.STALE);
    }
}
