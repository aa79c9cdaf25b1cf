package io.infermesh.ingest.outcomes;

import static io.infermesh.contracts.JobStatus.CANCELLED;
import static io.infermesh.contracts.JobStatus.FAILED;
import static io.infermesh.contracts.JobStatus.PENDING;
import static io.infermesh.contracts.JobStatus.RUNNABLE;
import static io.infermesh.contracts.JobStatus.RUNNING;
import static io.infermesh.contracts.JobStatus.STARTING;
import static io.infermesh.contracts.JobStatus.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.JobStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobStandingsTests {

    /** One lifecycle event: attempt and status. */
    private record Seen(int attempt, JobStatus status) {}

    private static Seen e(int attempt, JobStatus status) {
        return new Seen(attempt, status);
    }

    /**
     * Events in partition order, the last one a cloud backend's success, whether its result is published, and why
     * not.
     */
    private record Row(String story, List<Seen> events, boolean published, String withheld) {}

    @Test
    void aSuccessesResultIsPublishedExactlyWhenTheStatusApiShowsThatSuccessAsTheJobsOutcome() {
        List<Row> table = List.of(
                new Row(
                        "a run that succeeds",
                        List.of(e(1, PENDING), e(1, RUNNABLE), e(1, RUNNING), e(1, SUCCEEDED)),
                        true,
                        null),
                new Row("a success of a job never seen", List.of(e(3, SUCCEEDED)), true, null),
                new Row(
                        "the same success again (a redelivery, or Batch polling and the Batch event)",
                        List.of(e(1, RUNNABLE), e(1, SUCCEEDED), e(1, SUCCEEDED)),
                        true,
                        null),
                new Row(
                        "a late success of attempt 2 after attempt 1 succeeded (issue 17)",
                        List.of(e(1, RUNNABLE), e(1, SUCCEEDED), e(2, FAILED), e(2, SUCCEEDED)),
                        false,
                        "succeeded-in-another-attempt"),
                new Row(
                        "a success of a job cancelled before it ran",
                        List.of(e(1, RUNNABLE), e(1, CANCELLED), e(1, SUCCEEDED)),
                        false,
                        "cancelled"),
                new Row(
                        "a cancel the work overtook changes nothing",
                        List.of(e(1, STARTING), e(1, RUNNING), e(1, CANCELLED), e(1, SUCCEEDED)),
                        true,
                        null),
                new Row(
                        "a success after the failure of the same attempt: the first terminal status stays",
                        List.of(e(1, RUNNABLE), e(1, FAILED), e(1, SUCCEEDED)),
                        false,
                        "superseded"),
                new Row(
                        "a late success of attempt 1 while attempt 2 runs",
                        List.of(e(1, FAILED), e(2, RUNNABLE), e(1, SUCCEEDED)),
                        false,
                        "superseded"),
                new Row(
                        "the attempt after a failure succeeds",
                        List.of(e(1, FAILED), e(2, RUNNABLE), e(2, SUCCEEDED)),
                        true,
                        null));
        for (Row row : table) {
            JobStandings standings = new JobStandings(10);
            Standing after = null;
            for (Seen seen : row.events()) {
                after = standings.observe("job", seen.attempt(), seen.status());
            }
            int attempt = row.events().getLast().attempt();
            assertThat(after.succeededIn(attempt)).as(row.story()).isEqualTo(row.published());
            if (!row.published()) {
                assertThat(after.withheldBecause()).as(row.story()).isEqualTo(row.withheld());
            }
        }
    }

    @Test
    void theJobsSeenFirstAreForgottenFirstWhenFull() {
        JobStandings standings = new JobStandings(2);
        standings.observe("a", 1, SUCCEEDED);
        standings.observe("b", 1, SUCCEEDED);
        standings.observe("c", 1, RUNNABLE);
        assertThat(standings.observe("a", 2, SUCCEEDED))
                .as("forgotten: judged as a job never seen")
                .isEqualTo(new Standing(2, SUCCEEDED));
        assertThat(standings.observe("c", 2, SUCCEEDED)).isEqualTo(new Standing(2, SUCCEEDED));
        assertThat(standings.observe("b", 2, SUCCEEDED))
                .as("b was forgotten when a came back")
                .isEqualTo(new Standing(2, SUCCEEDED));
    }
}
