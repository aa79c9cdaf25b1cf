package io.infermesh.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * A job moved to a new status. Every service that moves a job publishes these on {@link Topics#JOBS_LIFECYCLE},
 * keyed by {@code jobId}; status-service projects them. Consumers must be idempotent on {@code eventId} and order by
 * {@code (attempt, status.rank())}.
 *
 * @param eventId stable id of this event: {@code <jobId>/<attempt>/<status>}, so a duplicate is recognisable
 * @param jobId the job
 * @param model the model
 * @param owner the owner
 * @param status the new status
 * @param attempt the attempt, starting at 1 (PENDING is attempt 1 too)
 * @param occurredAt when the move happened
 * @param backend where the job is placed (from RUNNABLE on)
 * @param placementReason why the router chose that backend (on RUNNABLE)
 * @param reason machine-readable failure cause (on FAILED)
 * @param message a sentence for a person (why it failed, or what happened)
 * @param input the input object (on PENDING)
 * @param output the result object (on SUCCEEDED)
 * @param coldStart whether the worker had to load the model for this job (from STARTING on)
 * @param timings where the time went (on terminal statuses)
 * @param estimatedCostUsd the estimated compute cost of this attempt, when known
 * @param predictions the top-k answers (on SUCCEEDED), so readers of the lifecycle need not fetch the result
 * @param decision the router's placement decision with the alternatives it weighed (on RUNNABLE)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobStatusChanged(
        String eventId,
        String jobId,
        String model,
        String owner,
        JobStatus status,
        int attempt,
        Instant occurredAt,
        Backend backend,
        String placementReason,
        FailureReason reason,
        String message,
        ObjectRef input,
        ObjectRef output,
        Boolean coldStart,
        Timings timings,
        Double estimatedCostUsd,
        List<Prediction> predictions,
        PlacementDecision decision) {

    /** The stable event id of a job's move to {@code status} in {@code attempt}. */
    public static String eventId(String jobId, int attempt, JobStatus status) {
        return jobId + "/" + attempt + "/" + status;
    }

    /** A bare status change with only the required fields; use the {@code with*} methods for the rest. */
    public static JobStatusChanged of(
            String jobId, String model, String owner, JobStatus status, int attempt, Instant occurredAt) {
        return new JobStatusChanged(
                eventId(jobId, attempt, status),
                jobId,
                model,
                owner,
                status,
                attempt,
                occurredAt,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    public JobStatusChanged withBackend(Backend backend, String placementReason) {
        return new JobStatusChanged(
                eventId,
                jobId,
                model,
                owner,
                status,
                attempt,
                occurredAt,
                backend,
                placementReason,
                reason,
                message,
                input,
                output,
                coldStart,
                timings,
                estimatedCostUsd,
                predictions,
                decision);
    }

    public JobStatusChanged withFailure(FailureReason reason, String message) {
        return new JobStatusChanged(
                eventId,
                jobId,
                model,
                owner,
                status,
                attempt,
                occurredAt,
                backend,
                placementReason,
                reason,
                message,
                input,
                output,
                coldStart,
                timings,
                estimatedCostUsd,
                predictions,
                decision);
    }

    public JobStatusChanged withMessage(String message) {
        return withFailure(reason, message);
    }

    public JobStatusChanged withInput(ObjectRef input) {
        return new JobStatusChanged(
                eventId,
                jobId,
                model,
                owner,
                status,
                attempt,
                occurredAt,
                backend,
                placementReason,
                reason,
                message,
                input,
                output,
                coldStart,
                timings,
                estimatedCostUsd,
                predictions,
                decision);
    }

    public JobStatusChanged withOutput(ObjectRef output) {
        return new JobStatusChanged(
                eventId,
                jobId,
                model,
                owner,
                status,
                attempt,
                occurredAt,
                backend,
                placementReason,
                reason,
                message,
                input,
                output,
                coldStart,
                timings,
                estimatedCostUsd,
                predictions,
                decision);
    }

    public JobStatusChanged withColdStart(Boolean coldStart) {
        return new JobStatusChanged(
                eventId,
                jobId,
                model,
                owner,
                status,
                attempt,
                occurredAt,
                backend,
                placementReason,
                reason,
                message,
                input,
                output,
                coldStart,
                timings,
                estimatedCostUsd,
                predictions,
                decision);
    }

    public JobStatusChanged withPredictions(List<Prediction> predictions) {
        return new JobStatusChanged(
                eventId,
                jobId,
                model,
                owner,
                status,
                attempt,
                occurredAt,
                backend,
                placementReason,
                reason,
                message,
                input,
                output,
                coldStart,
                timings,
                estimatedCostUsd,
                predictions == null ? null : List.copyOf(predictions),
                decision);
    }

    public JobStatusChanged withTimings(Timings timings) {
        return new JobStatusChanged(
                eventId,
                jobId,
                model,
                owner,
                status,
                attempt,
                occurredAt,
                backend,
                placementReason,
                reason,
                message,
                input,
                output,
                coldStart,
                timings,
                estimatedCostUsd,
                predictions,
                decision);
    }

    public JobStatusChanged withDecision(PlacementDecision decision) {
        return new JobStatusChanged(
                eventId,
                jobId,
                model,
                owner,
                status,
                attempt,
                occurredAt,
                backend,
                placementReason,
                reason,
                message,
                input,
                output,
                coldStart,
                timings,
                estimatedCostUsd,
                predictions,
                decision);
    }

    public JobStatusChanged withEstimatedCost(Double estimatedCostUsd) {
        return new JobStatusChanged(
                eventId,
                jobId,
                model,
                owner,
                status,
                attempt,
                occurredAt,
                backend,
                placementReason,
                reason,
                message,
                input,
                output,
                coldStart,
                timings,
                estimatedCostUsd,
                predictions,
                decision);
    }
}
