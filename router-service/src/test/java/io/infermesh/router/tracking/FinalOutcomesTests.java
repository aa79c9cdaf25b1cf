package io.infermesh.router.tracking;

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

class FinalOutcomesTests {

    /** One lifecycle event: attempt and status. */
    private record Seen(int attempt, JobStatus status) {}

    private static Seen e(int attempt, JobStatus status) {
        return new Seen(attempt, status);
    }

    /** Events in partition order, and the final state the status API shows after them (null: not final). */
    private record Row(String story, List<Seen> events, FinalOutcomes.State expected) {}

    @Test
    void aJobIsFinalExactlyWhenTheProjectionWouldShowItSucceededOrCancelled() {
        List<Row> table = List.of(
                new Row(
                        "a run that succeeds",
                        List.of(e(1, PENDING), e(1, RUNNABLE), e(1, RUNNING), e(1, SUCCEEDED)),
                        new FinalOutcomes.State(1, SUCCEEDED)),
                new Row(
                        "a late Lambda failure of attempt 2 after attempt 1 succeeded (issue 17)",
                        List.of(e(1, RUNNABLE), e(1, SUCCEEDED), e(2, FAILED)),
                        new FinalOutcomes.State(1, SUCCEEDED)),
                new Row(
                        "a late failure of the same attempt",
                        List.of(e(1, SUCCEEDED), e(1, FAILED)),
                        new FinalOutcomes.State(1, SUCCEEDED)),
                new Row(
                        "a cancel before the work started",
                        List.of(e(1, RUNNABLE), e(1, CANCELLED), e(1, RUNNING), e(1, SUCCEEDED), e(2, PENDING)),
                        new FinalOutcomes.State(1, CANCELLED)),
                new Row(
                        "a cancel the work overtook changes nothing",
                        List.of(e(1, STARTING), e(1, RUNNING), e(1, CANCELLED), e(1, FAILED)),
                        null),
                new Row(
                        "a success after the failure of the same attempt: the first terminal status stays",
                        List.of(e(1, RUNNABLE), e(1, FAILED), e(1, SUCCEEDED)),
                        null),
                new Row(
                        "a late success of attempt 1 while attempt 2 runs",
                        List.of(e(1, FAILED), e(2, RUNNABLE), e(1, SUCCEEDED)),
                        null),
                new Row(
                        "the attempt after a failure succeeds",
                        List.of(e(1, FAILED), e(2, RUNNABLE), e(2, SUCCEEDED), e(3, FAILED)),
                        new FinalOutcomes.State(2, SUCCEEDED)),
                new Row(
                        "a success without any earlier event",
                        List.of(e(3, SUCCEEDED)),
                        new FinalOutcomes.State(3, SUCCEEDED)),
                new Row("only failures", List.of(e(1, FAILED), e(2, FAILED)), null));
        for (Row row : table) {
            FinalOutcomes finals = new FinalOutcomes(10);
            row.events().forEach(seen -> finals.observe("job", seen.attempt(), seen.status()));
            assertThat(finals.finalState("job")).as(row.story()).isEqualTo(row.expected());
        }
    }

    @Test
    void onlyTheResultOfTheAttemptThatSucceededIsAdmitted() {
        FinalOutcomes finals = new FinalOutcomes(10);
        assertThat(finals.admitsResult("job", 2)).as("nothing known yet").isTrue();
        finals.observe("job", 1, FAILED);
        finals.observe("job", 2, RUNNABLE);
        assertThat(finals.admitsResult("job", 2)).as("attempt 2 runs").isTrue();
        finals.observe("job", 2, SUCCEEDED);
        assertThat(finals.admitsResult("job", 2))
                .as("the success the status API shows")
                .isTrue();
        assertThat(finals.admitsResult("job", 3))
                .as("another attempt of a succeeded job")
                .isFalse();

        finals.observe("cancelled", 1, RUNNABLE);
        finals.observe("cancelled", 1, CANCELLED);
        assertThat(finals.admitsResult("cancelled", 1))
                .as("a cancelled job shows no result")
                .isFalse();
    }

    @Test
    void theJobsSeenFirstAreForgottenFirstWhenFull() {
        FinalOutcomes finals = new FinalOutcomes(2);
        finals.observe("a", 1, SUCCEEDED);
        finals.observe("b", 1, SUCCEEDED);
        finals.observe("a", 2, FAILED);
        finals.observe("c", 1, RUNNABLE);
        assertThat(finals.finalState("a")).as("seen first, forgotten").isNull();
        assertThat(finals.finalState("b")).isEqualTo(new FinalOutcomes.State(1, SUCCEEDED));
    }
}
