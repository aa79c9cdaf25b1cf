package io.infermesh.ingest.outcomes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The follower answers where a job stands right after the event it published, in the lifecycle's order. */
class LifecycleFollowerTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    private final Counter unreadable = new SimpleMeterRegistry().counter("unreadable");
    private final LifecycleFollower follower = new LifecycleFollower(JSON, 100, Duration.ofMillis(300), unreadable);

    @Test
    void theAnswerIsWhereTheJobStandsOnceItsOwnEventCameBackAfterWhatCameBeforeIt() {
        follower.read(event("j", 1, JobStatus.SUCCEEDED));
        JobStatusChanged late = JobStatusChanged.of("j", "digits", "alice", JobStatus.SUCCEEDED, 2, NOW);

        Standing after = follower.publishAndFollow(late, () -> follower.read(JSON.writeValueAsBytes(late)));

        assertThat(after).isEqualTo(new Standing(1, JobStatus.SUCCEEDED));
        assertThat(after.succeededIn(2)).isFalse();
    }

    @Test
    void anEventPublishedWhileAnEarlierOneIsStillToBeReadIsAnsweredAfterBoth() throws Exception {
        JobStatusChanged success = JobStatusChanged.of("k", "digits", "alice", JobStatus.SUCCEEDED, 2, NOW);
        // the reader is behind: the cancel was published before, and is read only after this success was sent
        Thread reader = Thread.ofVirtual().unstarted(() -> {
            follower.read(event("k", 2, JobStatus.CANCELLED));
            follower.read(JSON.writeValueAsBytes(success));
        });

        Standing after = follower.publishAndFollow(success, reader::start);

        assertThat(after).isEqualTo(new Standing(2, JobStatus.CANCELLED));
        reader.join();
    }

    @Test
    void anEventThatDoesNotComeBackInTimeLeavesTheOutcomeUnknown() {
        JobStatusChanged lost = JobStatusChanged.of("m", "digits", "alice", JobStatus.SUCCEEDED, 1, NOW);
        assertThatThrownBy(() -> follower.publishAndFollow(lost, () -> {}))
                .isInstanceOf(LifecycleFollower.OutcomeUnknownException.class)
                .hasMessageContaining("m/1/SUCCEEDED")
                .hasMessageContaining("PT0.3S");
    }

    @Test
    void aFailedPublishIsThePublishersError() {
        JobStatusChanged refused = JobStatusChanged.of("n", "digits", "alice", JobStatus.SUCCEEDED, 1, NOW);
        assertThatThrownBy(() -> follower.publishAndFollow(refused, () -> {
                    throw new IllegalStateException("could not publish");
                }))
                .hasMessage("could not publish");
    }

    @Test
    void recordsThatAreNotStatusChangesAreCountedAndSkipped() {
        follower.read("not json".getBytes(StandardCharsets.UTF_8));
        follower.read("{\"jobId\":\"j\"}".getBytes(StandardCharsets.UTF_8));
        follower.read(null);
        assertThat(unreadable.count()).isEqualTo(3);
    }

    private static byte[] event(String jobId, int attempt, JobStatus status) {
        return JSON.writeValueAsBytes(JobStatusChanged.of(jobId, "digits", "alice", status, attempt, NOW));
    }
}
