package io.infermesh.faults;

import static io.infermesh.contracts.JobStatus.FAILED;
import static io.infermesh.contracts.JobStatus.PENDING;
import static io.infermesh.contracts.JobStatus.RUNNABLE;
import static io.infermesh.contracts.JobStatus.RUNNING;
import static io.infermesh.contracts.JobStatus.STARTING;
import static io.infermesh.contracts.JobStatus.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.JobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChecksTests {

    private static final Instant T0 = Instant.parse("2026-12-04T00:00:00Z");

    private static Checks.Event event(String job, JobStatus status, int attempt, int second) {
        return new Checks.Event(job, job + "/" + attempt + "/" + status, status, attempt, T0.plusSeconds(second));
    }

    private static List<Checks.Event> happy(String job, int from) {
        return List.of(
                event(job, PENDING, 1, from),
                event(job, RUNNABLE, 1, from + 1),
                event(job, STARTING, 1, from + 2),
                event(job, RUNNING, 1, from + 3),
                event(job, SUCCEEDED, 1, from + 4));
    }

    private static Checks.Observed oneCleanJob() {
        return new Checks.Observed(
                List.of(new Checks.Upload("inbox/digits/o/1.png", T0)),
                List.of(new Checks.ApiJob("j1", "inbox/digits/o/1.png", "SUCCEEDED", 1)),
                happy("j1", 0),
                List.of(new Checks.ResultRecord("j1", "ce-1")),
                List.of(new Checks.ResultFile("j1", true)));
    }

    @Test
    void aCleanRunHasNoProblem() {
        Checks.Verdict verdict = Checks.check("none", oneCleanJob(), T0.plusSeconds(1));

        assertThat(verdict.clean()).isTrue();
        assertThat(verdict.problems()).isEmpty();
        assertThat(verdict.succeeded()).isEqualTo(1);
        // open at the fault (second 1) until SUCCEEDED at second 4
        assertThat(verdict.recovery()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void anUploadWithoutAJobIsLost() {
        Checks.Observed seen = oneCleanJob();
        List<Checks.Upload> uploads = new ArrayList<>(seen.uploads());
        uploads.add(new Checks.Upload("inbox/digits/o/2.png", T0));

        Checks.Verdict verdict = Checks.check(
                "x", new Checks.Observed(uploads, seen.jobs(), seen.events(), seen.results(), seen.files()), T0);

        assertThat(verdict.lost()).isEqualTo(1);
        assertThat(verdict.problems()).anyMatch(p -> p.contains("no job for the uploaded object inbox/digits/o/2.png"));
    }

    @Test
    void aSucceededJobWithoutAReadableResultIsLost() {
        Checks.Observed seen = oneCleanJob();

        Checks.Verdict unreadable = Checks.check(
                "x",
                new Checks.Observed(
                        seen.uploads(),
                        seen.jobs(),
                        seen.events(),
                        seen.results(),
                        List.of(new Checks.ResultFile("j1", false))),
                T0);
        Checks.Verdict noRecord = Checks.check(
                "x", new Checks.Observed(seen.uploads(), seen.jobs(), seen.events(), List.of(), seen.files()), T0);

        assertThat(unreadable.lost()).isEqualTo(1);
        assertThat(unreadable.problems()).anyMatch(p -> p.contains("unreadable"));
        assertThat(noRecord.lost()).isEqualTo(1);
        assertThat(noRecord.problems()).anyMatch(p -> p.contains("no result record"));
    }

    @Test
    void secondJobsAndSecondResultRecordsAreDuplicates() {
        Checks.Observed seen = oneCleanJob();
        List<Checks.ApiJob> jobs = new ArrayList<>(seen.jobs());
        jobs.add(new Checks.ApiJob("j2", "inbox/digits/o/1.png", "SUCCEEDED", 1));
        List<Checks.ResultRecord> results = List.of(
                new Checks.ResultRecord("j1", "ce-1"),
                new Checks.ResultRecord("j1", "ce-1"),
                new Checks.ResultRecord("j2", "ce-2"));
        List<Checks.ResultFile> files = List.of(new Checks.ResultFile("j1", true), new Checks.ResultFile("j2", true));

        Checks.Verdict verdict =
                Checks.check("x", new Checks.Observed(seen.uploads(), jobs, seen.events(), results, files), T0);

        // one second job for the object, one redelivered result record of j1
        assertThat(verdict.duplicated()).isEqualTo(2);
        assertThat(verdict.sameCeId()).isEqualTo(1);
        assertThat(verdict.problems())
                .anyMatch(p -> p.contains("2 jobs for the object"))
                .anyMatch(p -> p.contains("2 result records for job j1 (1 distinct ce_id)"));
    }

    @Test
    void aJobThatIsNotTerminalIsStuckAndHasNoRecoveryTime() {
        Checks.Observed seen = oneCleanJob();

        Checks.Verdict verdict = Checks.check(
                "x",
                new Checks.Observed(
                        seen.uploads(),
                        List.of(new Checks.ApiJob("j1", "inbox/digits/o/1.png", "RUNNING", 1)),
                        seen.events().subList(0, 4),
                        List.of(),
                        List.of()),
                T0);

        assertThat(verdict.stuck()).isEqualTo(1);
        assertThat(verdict.recovery()).isNull();
        assertThat(verdict.clean()).isFalse();
    }

    @Test
    void redeliveredAndLateEventsAreLegalButASkippedStepOrTwoEndingsAreNot() {
        List<Checks.Event> redelivered = new ArrayList<>(happy("j", 0).subList(0, 4));
        // a worker killed after RUNNING: the survivor takes the same dispatch and says STARTING and RUNNING again
        redelivered.addAll(happy("j", 10).subList(2, 5));
        List<Checks.Event> late =
                List.of(event("j", PENDING, 1, 0), event("j", STARTING, 1, 2), event("j", RUNNABLE, 1, 1));
        List<Checks.Event> redispatched = List.of(
                event("j", PENDING, 1, 0),
                event("j", RUNNABLE, 1, 1),
                event("j", STARTING, 1, 2),
                event("j", RUNNABLE, 2, 3),
                event("j", STARTING, 2, 4),
                event("j", RUNNING, 2, 5),
                event("j", SUCCEEDED, 2, 6));
        List<Checks.Event> skipped = List.of(event("j", PENDING, 1, 0), event("j", STARTING, 1, 2));
        List<Checks.Event> twoEndings = new ArrayList<>(happy("j", 0));
        twoEndings.add(event("j", FAILED, 1, 9));
        List<Checks.Event> noPending = List.of(event("j", RUNNABLE, 1, 0));

        assertThat(Checks.illegalPath(redelivered)).isNull();
        assertThat(Checks.illegalPath(late)).isNull();
        assertThat(Checks.illegalPath(redispatched)).isNull();
        assertThat(Checks.illegalPath(skipped)).contains("PENDING(1) -> STARTING(1)");
        assertThat(Checks.illegalPath(twoEndings)).contains("SUCCEEDED(1) -> FAILED(1)");
        assertThat(Checks.illegalPath(noPending)).contains("begins with RUNNABLE");
    }

    @Test
    void recoveryIsTheLongestAJobWasHeldAfterTheFault() {
        List<Checks.Event> events = new ArrayList<>();
        events.addAll(happy("before", 0)); // ended at 4, before the fault at 5: not counted
        events.addAll(happy("open", 3)); // open at the fault, ends at 7: 2 s
        List<Checks.Event> slow = new ArrayList<>(happy("slow", 6).subList(0, 4));
        slow.add(event("slow", SUCCEEDED, 1, 26)); // created at 6, ends at 26: 20 s
        events.addAll(slow);
        Map<String, List<Checks.Event>> byJob = new LinkedHashMap<>();
        events.forEach(
                e -> byJob.computeIfAbsent(e.jobId(), k -> new ArrayList<>()).add(e));

        assertThat(Checks.recovery(byJob, Map.of(), T0.plusSeconds(5))).isEqualTo(Duration.ofSeconds(20));
        // uploaded at 1 while ingest was down, PENDING only at 6: held from the fault at 5, not from PENDING
        assertThat(Checks.recovery(byJob, Map.of("slow", T0.plusSeconds(1)), T0.plusSeconds(5)))
                .isEqualTo(Duration.ofSeconds(21));
    }
}
