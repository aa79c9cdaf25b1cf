package io.infermesh.ingest.notification;

import static io.infermesh.ingest.notification.CloudBackendExamples.JSON;
import static io.infermesh.ingest.notification.CloudBackendExamples.REQUESTED;
import static io.infermesh.ingest.notification.CloudBackendExamples.assertMatchesSchema;
import static io.infermesh.ingest.notification.CloudBackendExamples.batch;
import static io.infermesh.ingest.notification.CloudBackendExamples.job;
import static io.infermesh.ingest.notification.CloudBackendExamples.parameters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.Timings;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BatchJobStateChangesTests {

    static final String JOB_ID = "7d444840-9dc0-31d4-a9c4-3a0d1c5b3f1e";
    static final Instant EVENT_TIME = Instant.parse("2026-11-22T18:20:00Z");
    static final Instant STOPPED = Instant.ofEpochMilli(1795371380000L);
    static final String BATCH_JOB = "4c7599ae-0a82-49aa-ba5a-4727fcce14a8";
    private final BatchJobStateChanges events = new BatchJobStateChanges(JSON);
    private final JobDispatched job = job(JOB_ID, 2, Backend.BATCH);

    @ParameterizedTest(name = "Batch {0} -> {1}")
    @CsvSource({"STARTING, STARTING", "RUNNING, RUNNING", "SUCCEEDED, SUCCEEDED", "FAILED, FAILED"})
    void batchStatusesBecomeLifecycleStatusesOfTheRightAttempt(String batchStatus, JobStatus expected) {
        JobStatusChanged event = statusChange(batch(job, batchStatus)).event();

        assertThat(event.status()).isEqualTo(expected);
        assertThat(event.eventId()).isEqualTo(JOB_ID + "/2/" + expected);
        assertThat(event.attempt()).isEqualTo(2);
        assertThat(event.model()).isEqualTo("digits");
        assertThat(event.owner()).isEqualTo("alice");
        assertThat(event.backend()).isEqualTo(Backend.BATCH);
        assertThat(event.occurredAt()).isEqualTo(EVENT_TIME);
        assertMatchesSchema("job-status-changed", event);
    }

    @ParameterizedTest(name = "Batch {0} says nothing new")
    @ValueSource(strings = {"SUBMITTED", "PENDING", "RUNNABLE"})
    void queuedBatchStatesAddNothingToTheRoutersRunnable(String batchStatus) {
        assertThat(events.read(JSON.readTree(batch(job, batchStatus))))
                .isEqualTo(new BackendReport.NothingNew(BatchJobStateChanges.QUEUED));
    }

    @Test
    void aSucceededJobCarriesItsOutputTimingsAndAResultWithoutPredictions() {
        var change = statusChange(batch(job, "SUCCEEDED"));

        JobStatusChanged event = change.event();
        assertThat(event.output()).isEqualTo(job.output());
        assertThat(event.input()).isEqualTo(job.input());
        assertThat(event.predictions()).isNull();
        assertThat(event.estimatedCostUsd()).isEqualTo(job.estimatedCostUsd());
        long requested = REQUESTED.toEpochMilli();
        Timings timings = new Timings(1795371370000L - requested, null, null, null, null, 1795371380000L - requested);
        assertThat(event.timings())
                .as("from the request to the start and to the stop")
                .isEqualTo(timings);
        assertThat(event.message()).isEqualTo("Batch job " + BATCH_JOB + " succeeded after running 10.0 s");
        assertThat(change.result())
                .isEqualTo(new JobResult(
                        JOB_ID,
                        "digits",
                        "alice",
                        2,
                        Backend.BATCH,
                        job.input(),
                        job.output(),
                        List.of(),
                        timings,
                        STOPPED,
                        job.estimatedCostUsd()));
        assertMatchesSchema("job-status-changed", event);
        assertMatchesSchema("job-result", change.result());
    }

    @Test
    void aJobStoppedForItsTimeLimitFailsWithTimeoutAndSaysWhy() {
        var change = statusChange(batch(
                "FAILED",
                JobDispatched.batchJobName(JOB_ID, 2),
                parameters(job),
                JSON.writeValueAsString(job),
                ",\"statusReason\":\"Job attempt duration exceeded timeout\""));

        JobStatusChanged event = change.event();
        assertThat(event.reason()).isEqualTo(FailureReason.TIMEOUT);
        assertThat(event.input()).isEqualTo(job.input());
        assertThat(event.output()).isNull();
        assertThat(event.message())
                .as("the router's sentence for the same job (BatchJobFailure), not Batch's words")
                .isEqualTo("AWS Batch stopped job infermesh-" + JOB_ID + "-a2 (" + BATCH_JOB + ") on queue "
                        + "'infermesh-cpu' when it reached its attempt timeout: raise resources.timeoutSeconds in the"
                        + " card of model 'digits' if the model needs longer");
        assertThat(change.result()).isNull();
        assertMatchesSchema("job-status-changed", event);
    }

    @Test
    void anyOtherFailureIsABackendErrorNamingTheExitCodeAndReason() {
        String attempts = """
                ,"statusReason":"Essential container in task exited","attempts":[{"container":{"exitCode":137,
                 "reason":"OutOfMemoryError: Container killed due to memory usage","logStreamName":"l"},
                 "startedAt":1795371370000,"stoppedAt":1795371380000,"statusReason":"Essential container in task exited"}]""";
        var event = statusChange(batch(
                        "FAILED",
                        JobDispatched.batchJobName(JOB_ID, 2),
                        parameters(job),
                        JSON.writeValueAsString(job),
                        attempts.replace("\n", "")))
                .event();

        assertThat(event.reason()).isEqualTo(FailureReason.BACKEND_ERROR);
        assertThat(event.message())
                .as("what happened and what to do; Batch's and the container's own words stay in the log")
                .isEqualTo("the container of AWS Batch job infermesh-" + JOB_ID + "-a2 (" + BATCH_JOB + ") on queue"
                        + " 'infermesh-cpu' ran out of memory and was killed (exit code 137): give job definition"
                        + " 'infermesh-worker:3' more memory")
                .doesNotContain("Essential container", "Container killed");
    }

    @Test
    void theIdentityComesFromTheParametersThenTheVariableThenTheName() {
        JobDispatched variable = job(JOB_ID, 3, Backend.BATCH);
        String otherJob = "11111111-2222-3333-4444-555555555555";

        var fromParameters = statusChange(batch(
                        "RUNNING",
                        JobDispatched.batchJobName(otherJob, 5),
                        Map.of(
                                JobDispatched.BATCH_PARAMETER_JOB_ID,
                                JOB_ID,
                                JobDispatched.BATCH_PARAMETER_ATTEMPT,
                                "4",
                                JobDispatched.BATCH_PARAMETER_MODEL,
                                "mnist",
                                JobDispatched.BATCH_PARAMETER_OWNER,
                                "bob"),
                        JSON.writeValueAsString(variable),
                        ""))
                .event();
        assertThat(fromParameters)
                .extracting(
                        JobStatusChanged::jobId,
                        JobStatusChanged::attempt,
                        JobStatusChanged::model,
                        JobStatusChanged::owner)
                .containsExactly(JOB_ID, 4, "mnist", "bob");

        var fromVariable = statusChange(batch(
                        "RUNNING",
                        JobDispatched.batchJobName(otherJob, 5),
                        Map.of(),
                        JSON.writeValueAsString(variable),
                        ""))
                .event();
        assertThat(fromVariable)
                .extracting(
                        JobStatusChanged::jobId,
                        JobStatusChanged::attempt,
                        JobStatusChanged::model,
                        JobStatusChanged::owner)
                .containsExactly(JOB_ID, 3, "digits", "alice");

        var fromNameAndParameters = statusChange(batch(
                        "RUNNING",
                        JobDispatched.batchJobName(otherJob, 5),
                        Map.of(
                                JobDispatched.BATCH_PARAMETER_MODEL,
                                "mnist",
                                JobDispatched.BATCH_PARAMETER_OWNER,
                                "bob"),
                        null,
                        ""))
                .event();
        assertThat(fromNameAndParameters)
                .extracting(
                        JobStatusChanged::jobId,
                        JobStatusChanged::attempt,
                        JobStatusChanged::model,
                        JobStatusChanged::owner)
                .containsExactly(otherJob, 5, "mnist", "bob");
    }

    @Test
    void aSucceededJobWithoutTheVariableHasNoOutputAndNoResult() {
        var change = statusChange(batch("SUCCEEDED", JobDispatched.batchJobName(JOB_ID, 2), parameters(job), null, ""));

        assertThat(change.event().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(change.event().output()).isNull();
        assertThat(change.event().timings().queueWaitMs())
                .as("from the Batch submission")
                .isEqualTo(10_000L);
        assertThat(change.result()).isNull();
    }

    @Test
    void aJobThatIsNotAnInfermeshJobIsNotOurs() {
        assertThat(events.read(
                        JSON.readTree(batch("SUCCEEDED", "nightly-report", Map.of("date", "2026-11-22"), null, ""))))
                .isEqualTo(new BackendReport.NotOurs("foreign-batch-job"));
        assertThat(events.read(JSON.readTree(batch("FAILED", "infermesh-not-a-uuid-a1", Map.of(), null, ""))))
                .isEqualTo(new BackendReport.NotOurs("foreign-batch-job"));
    }

    @Test
    void brokenEventsAreMalformedSayingWhy() {
        assertThatThrownBy(() -> events.read(JSON.readTree("""
                {"detail-type":"Batch Job State Change","source":"aws.batch","detail":{}}""")))
                .isInstanceOf(MalformedNotificationException.class)
                .hasMessageContaining("without detail.status");
        assertThatThrownBy(() ->
                        events.read(JSON.readTree(batch(job, "SUCCEEDED").replace("\"SUCCEEDED\"", "\"HIBERNATING\""))))
                .isInstanceOf(MalformedNotificationException.class)
                .hasMessageContaining("unknown Batch status 'HIBERNATING'");
        assertThatThrownBy(() -> events.read(
                        JSON.readTree(batch("RUNNING", JobDispatched.batchJobName(JOB_ID, 2), Map.of(), null, ""))))
                .isInstanceOf(MalformedNotificationException.class)
                .hasMessageContaining(
                        "is infermesh job " + JOB_ID + " attempt 2 but its model and owner cannot be " + "found");
        assertThatThrownBy(() -> events.read(JSON.readTree(
                        batch("RUNNING", "my-job", Map.of(JobDispatched.BATCH_PARAMETER_MODEL, "digits"), null, ""))))
                .hasMessageContaining("names no job id");
        assertThatThrownBy(() -> events.read(JSON.readTree(batch(
                        "RUNNING",
                        "my-job",
                        Map.of(
                                JobDispatched.BATCH_PARAMETER_JOB_ID,
                                JOB_ID,
                                JobDispatched.BATCH_PARAMETER_ATTEMPT,
                                "zero"),
                        null,
                        ""))))
                .hasMessageContaining("infermeshAttempt parameter is not a positive integer: zero");
        assertThatThrownBy(() -> events.read(JSON.readTree(batch("RUNNING", "my-job", Map.of(), "{not json", ""))))
                .hasMessageContaining("INFERMESH_JOB variable is not JSON");
        assertThatThrownBy(
                        () -> events.read(JSON.readTree(batch("RUNNING", "my-job", Map.of(), "{\"jobId\":\"x\"}", ""))))
                .hasMessageContaining("INFERMESH_JOB looks like an infermesh JobDispatched but has no model");
    }

    private BackendReport.StatusChange statusChange(String event) {
        BackendReport report = events.read(JSON.readTree(event));
        assertThat(report).isInstanceOf(BackendReport.StatusChange.class);
        return (BackendReport.StatusChange) report;
    }
}
