package io.infermesh.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where a job's time went, in milliseconds; a phase that did not happen (yet) is null.
 *
 * @param queueWaitMs from the request to a worker taking the job
 * @param downloadMs reading the input from storage
 * @param modelLoadMs loading the model (zero or null when it was warm)
 * @param inferenceMs decoding the input, running the model and ranking its output
 * @param uploadMs writing the result to storage
 * @param totalMs from the upload notification to the terminal status
 * @param wakeMs on a cold start, from the worker pool seeing the model's backlog to its first worker consuming
 * @param warmupMs on a cold start, the first (throw-away) run after loading the model
 * @param batchSize how many jobs ran in the same model invocation (micro-batching); null outside a worker pool
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Timings(
        Long queueWaitMs,
        Long downloadMs,
        Long modelLoadMs,
        Long inferenceMs,
        Long uploadMs,
        Long totalMs,
        Long wakeMs,
        Long warmupMs,
        Integer batchSize) {

    /** The phases every backend reports, without the worker pool's cold-start and batching details. */
    public Timings(Long queueWaitMs, Long downloadMs, Long modelLoadMs, Long inferenceMs, Long uploadMs, Long totalMs) {
        this(queueWaitMs, downloadMs, modelLoadMs, inferenceMs, uploadMs, totalMs, null, null, null);
    }
}
