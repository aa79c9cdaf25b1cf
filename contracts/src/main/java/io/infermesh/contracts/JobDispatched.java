package io.infermesh.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One attempt of a job handed to a backend — the one record for it, whichever backend runs it (ADR 0020): on the
 * on-prem pool it is the record on {@link Topics#dispatch(String)} (keyed by {@code jobId}); on AWS Lambda the
 * asynchronous invocation's payload, echoed back in the destination record; on AWS Batch the container's
 * {@value #ENV_JOB} variable (with the job's {@linkplain #batchJobName name} and {@linkplain #BATCH_PARAMETER_JOB_ID
 * parameters}). The backend reads {@code input}, writes {@code result.json} at {@code output} and reports the attempt's
 * end: lifecycle events (the pool), the returned {@link JobResult} or a thrown {@code "REASON: sentence"} (Lambda), the
 * exit code and {@code result.json} (Batch). Schema: {@code /schemas/job-dispatched.schema.json}.
 *
 * <p>Fields added later are optional, so that a record written before them still reads: a dispatch without
 * {@code backend}, {@code output} and {@code deadline} (the pool's record before ADR 0020), and the former
 * {@code RemoteJob} payload of Lambda and Batch (the same field names, without {@code placementReason} and
 * {@code deadline}), are both this record.
 *
 * @param jobId the job
 * @param model the model to run
 * @param owner the owner, for the result location
 * @param input the object to run the model on
 * @param attempt the attempt this dispatch starts (1 for the first)
 * @param placementReason why the router chose this backend, in words
 * @param requestedAt when the job was requested, to measure queue wait
 * @param dispatchedAt when the router dispatched it
 * @param estimatedCostUsd the router's estimate of this attempt's cost, for the result
 * @param backend where it was placed; absent: the on-prem pool (a record written before this field)
 * @param output where to write {@code result.json}; absent: where the backend is configured to write results (the
 *     pool's {@code results-bucket} and {@code results-prefix})
 * @param deadline when the job should have finished (its request plus the card's placement deadline); absent when
 *     the card sets none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobDispatched(
        String jobId,
        String model,
        String owner,
        ObjectRef input,
        int attempt,
        String placementReason,
        Instant requestedAt,
        Instant dispatchedAt,
        Double estimatedCostUsd,
        Backend backend,
        ObjectRef output,
        Instant deadline) {

    /**
     * A dispatch to the on-prem pool as it was written before {@code backend}, {@code output} and {@code deadline}:
     * the pool runs it and writes its result where it is configured to.
     */
    public JobDispatched(
            String jobId,
            String model,
            String owner,
            ObjectRef input,
            int attempt,
            String placementReason,
            Instant requestedAt,
            Instant dispatchedAt,
            Double estimatedCostUsd) {
        this(
                jobId,
                model,
                owner,
                input,
                attempt,
                placementReason,
                requestedAt,
                dispatchedAt,
                estimatedCostUsd,
                null,
                null,
                null);
    }

    /** Batch container environment variable holding this record as JSON. */
    public static final String ENV_JOB = "INFERMESH_JOB";
    /** Batch job parameter holding the job id. */
    public static final String BATCH_PARAMETER_JOB_ID = "infermeshJobId";
    /** Batch job parameter holding the attempt. */
    public static final String BATCH_PARAMETER_ATTEMPT = "infermeshAttempt";
    /** Batch job parameter holding the model. */
    public static final String BATCH_PARAMETER_MODEL = "infermeshModel";
    /** Batch job parameter holding the owner. */
    public static final String BATCH_PARAMETER_OWNER = "infermeshOwner";

    private static final Pattern BATCH_NAME = Pattern.compile("infermesh-([0-9a-f-]{36})-a([0-9]{1,6})");

    /** The backend that runs it: {@link #backend}, else the on-prem pool (a record written before that field). */
    public Backend backendOrOnprem() {
        return backend == null ? Backend.ONPREM : backend;
    }

    /**
     * The Batch job name of a job's attempt: {@code infermesh-<jobId>-a<attempt>} (Batch allows 128 letters, digits,
     * hyphens and underscores).
     */
    public static String batchJobName(String jobId, int attempt) {
        return "infermesh-" + jobId + "-a" + attempt;
    }

    /** The job id and attempt in a Batch job name made by {@link #batchJobName}, if it is one. */
    public static Optional<Attempt> parseBatchJobName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        Matcher m = BATCH_NAME.matcher(name);
        return m.matches() ? Optional.of(new Attempt(m.group(1), Integer.parseInt(m.group(2)))) : Optional.empty();
    }

    /**
     * The lifecycle status of an AWS Batch job status: SUBMITTED, PENDING and RUNNABLE are all RUNNABLE (queued);
     * STARTING, RUNNING, SUCCEEDED and FAILED are themselves; anything else is empty.
     */
    public static Optional<JobStatus> lifecycleStatusOfBatch(String batchStatus) {
        if (batchStatus == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(
                switch (batchStatus) {
                    case "SUBMITTED", "PENDING", "RUNNABLE" -> JobStatus.RUNNABLE;
                    case "STARTING" -> JobStatus.STARTING;
                    case "RUNNING" -> JobStatus.RUNNING;
                    case "SUCCEEDED" -> JobStatus.SUCCEEDED;
                    case "FAILED" -> JobStatus.FAILED;
                    default -> null;
                });
    }

    /**
     * Why a Batch job FAILED: {@link FailureReason#TIMEOUT} when Batch stopped it for its time limit ("Job attempt
     * duration exceeded timeout"), else {@link FailureReason#BACKEND_ERROR}.
     */
    public static FailureReason failureReasonOfBatch(String statusReason) {
        String lower = statusReason == null ? "" : statusReason.toLowerCase(Locale.ROOT);
        return lower.contains("timeout") || lower.contains("timed out")
                ? FailureReason.TIMEOUT
                : FailureReason.BACKEND_ERROR;
    }

    /** A job's attempt. */
    public record Attempt(String jobId, int attempt) {}

    /** Where a job's {@code result.json} goes: {@code <prefix><model>/<owner>/<jobId>/result.json}. */
    public static String resultKey(String prefix, String model, String owner, String jobId) {
        return prefix + model + "/" + owner + "/" + jobId + "/result.json";
    }
}
