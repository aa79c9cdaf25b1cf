package io.infermesh.status.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Prediction;
import io.infermesh.contracts.Timings;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A job as REST clients see it; absent values are omitted.
 *
 * @param predictions the top-k answers of a succeeded job, best first
 * @param timestamps when the job reached each status of its current attempt, keyed by status name, in lifecycle
 *     order (PENDING belongs to attempt 1 and is kept across attempts)
 * @param createdAt when the job's earliest known event happened
 * @param updatedAt when the job store last changed this job
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record JobView(
        String jobId,
        String model,
        String owner,
        JobStatus status,
        int attempt,
        Backend backend,
        String placementReason,
        FailureReason reason,
        String message,
        ObjectRef input,
        ObjectRef output,
        String outputUri,
        Boolean coldStart,
        Timings timings,
        Double estimatedCostUsd,
        List<Prediction> predictions,
        Instant createdAt,
        Instant updatedAt,
        Map<String, Instant> timestamps) {}
