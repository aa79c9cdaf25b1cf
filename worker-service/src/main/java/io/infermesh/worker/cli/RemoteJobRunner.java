package io.infermesh.worker.cli;

import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.RemoteJob;
import io.infermesh.contracts.Timings;
import io.infermesh.worker.catalogue.WorkerModels;
import io.infermesh.worker.engine.Inference;
import io.infermesh.worker.engine.InferenceEngine;
import io.infermesh.worker.engine.InvalidInputException;
import io.infermesh.worker.engine.ModelEntry;
import io.infermesh.worker.engine.ModelFailureException;
import io.infermesh.worker.engine.ResultDocument;
import io.infermesh.worker.engine.RunTimeoutException;
import io.infermesh.worker.storage.ObjectStorage;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs one {@link RemoteJob} the router handed to a cloud backend — the same steps wherever it runs (the Batch
 * container's {@code predict --job-from-env}, the Lambda handler): read the input from S3, run the engine, write
 * {@code result.json} where the job says, and answer the {@link JobResult}.
 */
public final class RemoteJobRunner {

    /** The job failed for a reason the lifecycle names; the message starts with it ({@code "INVALID_INPUT: ..."}). */
    public static final class JobFailedException extends RuntimeException {

        private final FailureReason reason;

        public JobFailedException(FailureReason reason, String message, Throwable cause) {
            super(reason.name() + ": " + message, cause);
            this.reason = reason;
        }

        public FailureReason reason() {
            return reason;
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WorkerModels models;
    private final InferenceEngine engine;
    private final ObjectStorage storage;

    public RemoteJobRunner(WorkerModels models, InferenceEngine engine, ObjectStorage storage) {
        this.models = models;
        this.engine = engine;
        this.storage = storage;
    }

    /**
     * @throws JobFailedException when the job cannot be done, with the reason
     */
    public JobResult run(RemoteJob job) {
        if (job.jobId() == null || job.model() == null || job.input() == null || job.output() == null) {
            throw new JobFailedException(
                    FailureReason.INTERNAL_ERROR, "the job lacks jobId, model, input or output: " + job, null);
        }
        ModelEntry model = models.find(job.model())
                .orElseThrow(() -> new JobFailedException(
                        FailureReason.UNKNOWN_MODEL,
                        "there is no model named '" + job.model() + "' here; models: " + models.names(),
                        null));
        long started = System.nanoTime();
        try {
            byte[] input = storage.read(job.input());
            Optional<String> tooLarge = model.card().inputTooLarge(input.length);
            if (tooLarge.isPresent()) {
                throw new JobFailedException(FailureReason.INPUT_TOO_LARGE, tooLarge.get(), null);
            }
            long downloaded = System.nanoTime();
            Inference inference = engine.run(model, input);
            Map<String, Object> doc =
                    ResultDocument.result(job.jobId(), job.owner(), job.input(), model, inference, Instant.now());
            long t1 = System.nanoTime();
            ObjectRef written = storage.write(
                    job.output().bucket(), job.output().key(), JSON.writeValueAsBytes(doc), "application/json");
            long uploaded = System.nanoTime();
            Timings timings = new Timings(
                    null,
                    (downloaded - started) / 1_000_000,
                    inference.modelLoadMs(),
                    inference.inferenceMs(),
                    (uploaded - t1) / 1_000_000,
                    null);
            return new JobResult(
                    job.jobId(),
                    job.model(),
                    job.owner(),
                    job.attempt(),
                    job.backend(),
                    job.input(),
                    written,
                    inference.rows().getFirst(),
                    timings,
                    Instant.now(),
                    job.estimatedCostUsd());
        } catch (ObjectStorage.ObjectMissingException e) {
            throw new JobFailedException(FailureReason.INPUT_NOT_FOUND, e.getMessage(), e);
        } catch (InvalidInputException e) {
            throw new JobFailedException(FailureReason.INVALID_INPUT, e.getMessage(), e);
        } catch (RunTimeoutException e) {
            throw new JobFailedException(FailureReason.TIMEOUT, e.getMessage(), e);
        } catch (ModelFailureException e) {
            throw new JobFailedException(FailureReason.MODEL_ERROR, e.getMessage(), e);
        } catch (ObjectStorage.StorageFailedException e) {
            throw new JobFailedException(FailureReason.INTERNAL_ERROR, e.getMessage(), e);
        } catch (JobFailedException e) {
            throw e;
        } catch (RuntimeException e) {
            // the backend reports this message as the job's: a sentence, never the error's own text
            throw new JobFailedException(
                    FailureReason.INTERNAL_ERROR,
                    "the job could not be run: an unexpected error" + " (the function's log has the details)",
                    e);
        }
    }
}
