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
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Timings(Long queueWaitMs, Long downloadMs, Long modelLoadMs, Long inferenceMs, Long uploadMs,
        Long totalMs) {
}
