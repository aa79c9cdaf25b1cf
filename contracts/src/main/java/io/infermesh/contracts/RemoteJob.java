package io.infermesh.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A job handed to a backend outside the mesh's Kafka: the payload of the asynchronous AWS Lambda invocation, and
 * (as the {@value #ENV_JOB} environment variable) of the AWS Batch job. The backend reads {@code input}, writes
 * {@code result.json} at {@code output}, and returns (Lambda) a {@link JobResult}. Its outcome comes back through the
 * Lambda destination record or the Batch state-change event, both of which carry this payload or the Batch job's
 * {@linkplain #batchJobName name} and {@linkplain #BATCH_PARAMETER_JOB_ID parameters}. Schema:
 * {@code /schemas/remote-job.schema.json}.
 *
 * @param jobId the job
 * @param model the model to run
 * @param owner the owner
 * @param attempt the attempt this dispatch starts
 * @param backend where it was placed ({@code lambda} or {@code batch})
 * @param input the object to run the model on
 * @param output where to write {@code result.json}
 * @param requestedAt when the job was requested
 * @param dispatchedAt when the router dispatched it
 * @param estimatedCostUsd the router's estimate of this attempt's cost
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RemoteJob(
        String jobId,
        String model,
        String owner,
        int attempt,
        Backend backend,
        ObjectRef input,
        ObjectRef output,
        Instant requestedAt,
        Instant dispatchedAt,
        Double estimatedCostUsd) {

    /** Batch container environment variable holding this payload as JSON. */
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
