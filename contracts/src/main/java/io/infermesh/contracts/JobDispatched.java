package io.infermesh.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * The router placed a job on the on-prem pool of its model. Published on {@link Topics#dispatch(String)}, keyed by
 * {@code jobId}; the model's workers consume it.
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
        Double estimatedCostUsd) {}
