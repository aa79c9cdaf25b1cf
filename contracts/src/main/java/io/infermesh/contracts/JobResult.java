package io.infermesh.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * A job's result, for external subscribers. Published on {@link Topics#JOBS_RESULTS}, keyed by {@code jobId}, after
 * {@code result.json} is written: by the worker for on-prem jobs, by ingest-service (from the backend's report) or
 * the router (Batch polling) for cloud jobs. The top predictions travel inline (they are small); anything larger
 * stays in the results object, and a backend that reports none (AWS Batch) leaves them out.
 *
 * @param jobId the job
 * @param model the model that produced it
 * @param owner the owner
 * @param attempt the attempt that produced it
 * @param backend where it ran
 * @param input the input object
 * @param output the {@code result.json} object
 * @param predictions the top-k predictions, best first
 * @param timings where the time went
 * @param completedAt when the result was written
 * @param estimatedCostUsd the router's estimate of what the attempt cost, when it made one
 * @param executionProvider the ONNX Runtime execution provider that ran the model, {@code "CPU"} or {@code "CUDA"}
 *     (a card asking for a GPU on a machine without one runs on CPU); null when the backend did not report it (an
 *     AWS Batch job, whose result stays in {@code result.json}, or a worker from before this field)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobResult(
        String jobId,
        String model,
        String owner,
        int attempt,
        Backend backend,
        ObjectRef input,
        ObjectRef output,
        List<Prediction> predictions,
        Timings timings,
        Instant completedAt,
        Double estimatedCostUsd,
        String executionProvider) {

    /** A result that does not say which execution provider ran the model (as before that was reported). */
    public JobResult(
            String jobId,
            String model,
            String owner,
            int attempt,
            Backend backend,
            ObjectRef input,
            ObjectRef output,
            List<Prediction> predictions,
            Timings timings,
            Instant completedAt,
            Double estimatedCostUsd) {
        this(
                jobId,
                model,
                owner,
                attempt,
                backend,
                input,
                output,
                predictions,
                timings,
                completedAt,
                estimatedCostUsd,
                null);
    }

    /** This result, saying which execution provider ran the model ({@code "CPU"}, {@code "CUDA"}). */
    public JobResult withExecutionProvider(String provider) {
        return new JobResult(
                jobId,
                model,
                owner,
                attempt,
                backend,
                input,
                output,
                predictions,
                timings,
                completedAt,
                estimatedCostUsd,
                provider);
    }
}
