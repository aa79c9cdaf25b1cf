package io.infermesh.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * The former shape of the payload handed to AWS Lambda and AWS Batch, before one record served every backend (ADR
 * 0020): {@link JobDispatched} now is that payload, and reads this record's JSON as it is (the same field names). No
 * service writes or reads this type any more; it stays only until the local mesh's cloud test builds its payload as a
 * {@link JobDispatched}, then goes.
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
 * @deprecated use {@link JobDispatched}
 */
@Deprecated(forRemoval = true)
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

    /**
     * Where a job's {@code result.json} goes.
     *
     * @deprecated use {@link JobDispatched#resultKey}
     */
    @Deprecated(forRemoval = true)
    public static String resultKey(String prefix, String model, String owner, String jobId) {
        return JobDispatched.resultKey(prefix, model, owner, jobId);
    }
}
