package io.infermesh.ingest.notification;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.BatchJobFailure;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.Timings;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads AWS Batch "Batch Job State Change" events (EventBridge) of the jobs the router submitted. The job, attempt,
 * model and owner come from the job's parameters ({@code infermeshJobId}, {@code infermeshAttempt},
 * {@code infermeshModel}, {@code infermeshOwner}), else from its {@code INFERMESH_JOB} container variable (the
 * {@link JobDispatched}), else (job and attempt only) from its name {@code infermesh-<jobId>-a<attempt>}.
 * <ul>
 * <li>SUBMITTED, PENDING, RUNNABLE: nothing new ({@link BackendReport.NothingNew}, counted as
 * {@value #QUEUED}): the router published RUNNABLE, with its placement decision, when it submitted the job, and a
 * second RUNNABLE with the same event id would race it; STARTING, RUNNING: the same statuses;</li>
 * <li>SUCCEEDED: SUCCEEDED with the variable's output and the timings Batch measured, and a {@link JobResult}
 * (without predictions: {@code result.json} holds them);</li>
 * <li>FAILED: FAILED, TIMEOUT or BACKEND_ERROR, with {@link BatchJobFailure}'s sentence: the one the router gives
 * when it polls the same job (Batch's own words go to the log at INFO);</li>
 * <li>a job with no infermesh parameters, no variable and a name that is not ours: {@link BackendReport.NotOurs}.</li>
 * </ul>
 */
public final class BatchJobStateChanges {

    public static final String SOURCE = "aws.batch";
    public static final String DETAIL_TYPE = "Batch Job State Change";
    static final String FOREIGN = "foreign-batch-job";
    static final String QUEUED = "batch-job-queued";
    private static final List<String> PARAMETERS = List.of(
            JobDispatched.BATCH_PARAMETER_JOB_ID,
            JobDispatched.BATCH_PARAMETER_ATTEMPT,
            JobDispatched.BATCH_PARAMETER_MODEL,
            JobDispatched.BATCH_PARAMETER_OWNER);

    private static final Logger log = LoggerFactory.getLogger(BatchJobStateChanges.class);

    private final JsonMapper json;
    private final RemoteJobPayload jobs;

    public BatchJobStateChanges(JsonMapper json) {
        this.json = json;
        this.jobs = new RemoteJobPayload(json);
    }

    /**
     * What one state-change event reports.
     *
     * @throws MalformedNotificationException when it has no status, an unknown status, or is an infermesh job whose
     *     attempt, model or owner cannot be found
     */
    public BackendReport read(JsonNode event) {
        JsonNode detail = event.get("detail");
        if (detail == null || !detail.isObject() || text(detail, "status") == null) {
            throw new MalformedNotificationException(
                    "a " + DETAIL_TYPE + " event (" + SOURCE + ") without detail.status");
        }
        String batchStatus = text(detail, "status");
        String batchJobId = Optional.ofNullable(text(detail, "jobId")).orElse("(no id)");
        String jobName = text(detail, "jobName");
        JsonNode parameters = detail.path("parameters");
        String variable = environment(detail, JobDispatched.ENV_JOB);
        Optional<JobDispatched.Attempt> named = JobDispatched.parseBatchJobName(jobName);
        if (PARAMETERS.stream().noneMatch(p -> text(parameters, p) != null) && variable == null && named.isEmpty()) {
            return new BackendReport.NotOurs(FOREIGN);
        }
        String what = "Batch job " + batchJobId + (jobName == null ? "" : " (" + jobName + ")");
        JobDispatched job =
                variable == null ? null : jobs.read(tree(variable, what), what + "'s " + JobDispatched.ENV_JOB);
        String jobId = first(
                text(parameters, JobDispatched.BATCH_PARAMETER_JOB_ID),
                job == null ? null : job.jobId(),
                named.map(JobDispatched.Attempt::jobId).orElse(null));
        Integer attempt = attempt(parameters, what);
        if (attempt == null) {
            attempt = job != null
                    ? Integer.valueOf(job.attempt())
                    : named.map(JobDispatched.Attempt::attempt).orElse(null);
        }
        String model = first(text(parameters, JobDispatched.BATCH_PARAMETER_MODEL), job == null ? null : job.model());
        String owner = first(text(parameters, JobDispatched.BATCH_PARAMETER_OWNER), job == null ? null : job.owner());
        if (jobId == null || attempt == null) {
            throw new MalformedNotificationException(what + " has infermesh parameters but names no "
                    + (jobId == null ? "job id" : "attempt") + ": no "
                    + (jobId == null ? JobDispatched.BATCH_PARAMETER_JOB_ID : JobDispatched.BATCH_PARAMETER_ATTEMPT)
                    + " parameter, no " + JobDispatched.ENV_JOB
                    + " variable, and its name is not infermesh-<jobId>-a<n>");
        }
        if (model == null || owner == null) {
            throw new MalformedNotificationException(what + " is infermesh job " + jobId + " attempt " + attempt
                    + " but its model and owner cannot be found: no " + JobDispatched.BATCH_PARAMETER_MODEL + "/"
                    + JobDispatched.BATCH_PARAMETER_OWNER + " parameters and no " + JobDispatched.ENV_JOB
                    + " variable");
        }
        JobStatus status = status(batchStatus, what);
        if (status == JobStatus.RUNNABLE) {
            return new BackendReport.NothingNew(QUEUED);
        }
        JobStatusChanged change = JobStatusChanged.of(
                        jobId, model, owner, status, attempt, QueueMessageReader.time(event.get("time")))
                .withBackend(Backend.BATCH, null);
        if (!status.isTerminal()) {
            return new BackendReport.StatusChange(change, null);
        }
        Timings timings = timings(detail, job);
        change = change.withTimings(timings)
                .withInput(job == null ? null : job.input())
                .withEstimatedCost(job == null ? null : job.estimatedCostUsd());
        if (status == JobStatus.FAILED) {
            BatchJobFailure failure = failure(detail, batchJobId, jobName);
            log.info("{} of job {} attempt {} FAILED: {}", what, jobId, attempt, failure.raw());
            return new BackendReport.StatusChange(change.withFailure(failure.reason(), failure.sentence(model)), null);
        }
        change = change.withOutput(job == null ? null : job.output())
                .withMessage("Batch job " + batchJobId + " succeeded" + ran(detail));
        JobResult result = change.output() == null
                ? null
                : new JobResult(
                        jobId,
                        model,
                        owner,
                        attempt,
                        Backend.BATCH,
                        change.input(),
                        change.output(),
                        List.of(),
                        timings,
                        millis(detail, "stoppedAt").orElse(change.occurredAt()),
                        change.estimatedCostUsd());
        return new BackendReport.StatusChange(change, result);
    }

    /** The lifecycle status of a Batch job status. */
    static JobStatus status(String batchStatus, String what) {
        return JobDispatched.lifecycleStatusOfBatch(batchStatus)
                .orElseThrow(() -> new MalformedNotificationException(
                        what + " has an unknown Batch status '" + batchStatus + "'"));
    }

    /** What Batch says about the failure, in the event's words (the same fields as {@code DescribeJobs}'). */
    private static BatchJobFailure failure(JsonNode detail, String batchJobId, String jobName) {
        JsonNode container = container(detail);
        JsonNode exitCode = container.get("exitCode");
        JsonNode timeout = detail.path("timeout").get("attemptDurationSeconds");
        return new BatchJobFailure(
                batchJobId,
                jobName,
                text(detail, "jobQueue"),
                text(detail, "jobDefinition"),
                statusReason(detail),
                exitCode != null && exitCode.isInt() ? exitCode.intValue() : null,
                text(container, "reason"),
                text(container, "logStreamName"),
                timeout != null && timeout.isInt() ? timeout.intValue() : null);
    }

    /** The job's container, or its last attempt's when the job itself has none (Batch fills both differently). */
    private static JsonNode container(JsonNode detail) {
        JsonNode container = detail.path("container");
        if (container.has("exitCode") || container.has("reason")) {
            return container;
        }
        JsonNode attempts = detail.path("attempts");
        return attempts.isArray() && !attempts.isEmpty()
                ? attempts.get(attempts.size() - 1).path("container")
                : container;
    }

    private static String statusReason(JsonNode detail) {
        String reason = text(detail, "statusReason");
        JsonNode attempts = detail.path("attempts");
        if (reason == null && attempts.isArray() && !attempts.isEmpty()) {
            reason = text(attempts.get(attempts.size() - 1), "statusReason");
        }
        return reason;
    }

    /**
     * What Batch measured: the wait from the request ({@link JobDispatched#requestedAt}, else the Batch submission) to
     * the start, and from there to the stop; the phases inside the container are not visible in the event.
     */
    private static Timings timings(JsonNode detail, JobDispatched job) {
        Optional<Instant> origin =
                Optional.ofNullable(job == null ? null : job.requestedAt()).or(() -> millis(detail, "createdAt"));
        Optional<Instant> started = millis(detail, "startedAt");
        Optional<Instant> stopped = millis(detail, "stoppedAt");
        Long queueWait = origin.isPresent() && started.isPresent()
                ? Math.max(0, started.get().toEpochMilli() - origin.get().toEpochMilli())
                : null;
        Long total = origin.isPresent() && stopped.isPresent()
                ? Math.max(0, stopped.get().toEpochMilli() - origin.get().toEpochMilli())
                : null;
        return queueWait == null && total == null ? null : new Timings(queueWait, null, null, null, null, total);
    }

    private static String ran(JsonNode detail) {
        Optional<Instant> started = millis(detail, "startedAt");
        Optional<Instant> stopped = millis(detail, "stoppedAt");
        if (started.isEmpty() || stopped.isEmpty()) {
            return "";
        }
        long ms = stopped.get().toEpochMilli() - started.get().toEpochMilli();
        return String.format(Locale.ROOT, " after running %.1f s", ms / 1000.0);
    }

    private static Integer attempt(JsonNode parameters, String what) {
        String attempt = text(parameters, JobDispatched.BATCH_PARAMETER_ATTEMPT);
        if (attempt == null) {
            return null;
        }
        try {
            int value = Integer.parseInt(attempt.trim());
            if (value >= 1) {
                return value;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new MalformedNotificationException(what + "'s " + JobDispatched.BATCH_PARAMETER_ATTEMPT
                + " parameter is not a positive integer: " + attempt);
    }

    /** The value of a container environment variable, if set. */
    private static String environment(JsonNode detail, String name) {
        JsonNode variables = detail.path("container").path("environment");
        if (variables.isArray()) {
            for (JsonNode variable : variables) {
                if (name.equals(text(variable, "name"))) {
                    return text(variable, "value");
                }
            }
        }
        return null;
    }

    private static Optional<Instant> millis(JsonNode detail, String field) {
        JsonNode value = detail.get(field);
        return value != null && value.isIntegralNumber() && value.canConvertToLong() && value.longValue() > 0
                ? Optional.of(Instant.ofEpochMilli(value.longValue()))
                : Optional.empty();
    }

    private JsonNode tree(String text, String what) {
        try {
            return json.readTree(text);
        } catch (JacksonException e) {
            throw new MalformedNotificationException(
                    what + "'s " + JobDispatched.ENV_JOB + " variable is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    @SafeVarargs
    private static <T> T first(T... values) {
        for (T value : values) {
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null
                        || !value.isValueNode()
                        || value.isNull()
                        || value.asString().isEmpty()
                ? null
                : value.asString();
    }
}
