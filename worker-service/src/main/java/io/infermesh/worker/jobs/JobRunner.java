package io.infermesh.worker.jobs;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Prediction;
import io.infermesh.contracts.RemoteJob;
import io.infermesh.contracts.Timings;
import io.infermesh.worker.catalogue.WorkerModels;
import io.infermesh.worker.engine.Inference;
import io.infermesh.worker.engine.InferenceEngine;
import io.infermesh.worker.engine.InvalidInputException;
import io.infermesh.worker.engine.ModelEntry;
import io.infermesh.worker.engine.ModelFailureException;
import io.infermesh.worker.engine.ResultDocument;
import io.infermesh.worker.storage.ObjectStorage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one dispatched job: STARTING, download, RUNNING, the engine, {@code result.json}, then SUCCEEDED and the
 * result record, or FAILED with a reason a person understands. Business failures (a bad input, an unknown or broken
 * model, a missing object) end the job; anything else propagates so that the binder retries, and the last attempt
 * still ends the job FAILED before the record is dead-lettered.
 */
public final class JobRunner {

    /** Where the job's events and result go. */
    public interface Events {
        void statusChanged(JobStatusChanged event);

        void result(JobResult result);
    }

    /** Where {@code result.json} is written. */
    public interface ResultWriter {
        ObjectRef write(String bucket, String key, Map<String, Object> document);
    }

    private final WorkerModels models;
    private final InferenceEngine engine;
    private final ObjectStorage storage;
    private final ResultWriter results;
    private final Events events;
    private final String resultsBucket;
    private final String resultsPrefix;
    private final Clock clock;

    public JobRunner(WorkerModels models, InferenceEngine engine, ObjectStorage storage, ResultWriter results,
            Events events, String resultsBucket, String resultsPrefix, Clock clock) {
        this.models = models;
        this.engine = engine;
        this.storage = storage;
        this.results = results;
        this.events = events;
        this.resultsBucket = resultsBucket;
        this.resultsPrefix = resultsPrefix;
        this.clock = clock;
    }

    public void run(JobDispatched job) {
        Instant started = clock.instant();
        Optional<ModelEntry> found = models.find(job.model());
        if (found.isEmpty()) {
            fail(job, FailureReason.UNKNOWN_MODEL, "this worker pool does not serve model '" + job.model() + "'", null);
            return;
        }
        ModelEntry model = found.get();
        boolean cold = !engine.isLoaded(model.name());
        events.statusChanged(status(job, JobStatus.STARTING).withColdStart(cold));
        long t0 = System.nanoTime();
        byte[] input;
        try {
            input = storage.read(job.input());
        } catch (ObjectStorage.ObjectMissingException e) {
            fail(job, FailureReason.INPUT_NOT_FOUND, e.getMessage(), cold);
            return;
        }
        long downloadMs = (System.nanoTime() - t0) / 1_000_000;
        Long limit = model.card().resources() == null ? null : model.card().resources().maxInputBytes();
        if (limit != null && input.length > limit) {
            fail(job, FailureReason.INPUT_TOO_LARGE, "the input is " + input.length + " bytes; model '"
                    + model.name() + "' accepts at most " + limit + " bytes", cold);
            return;
        }
        events.statusChanged(status(job, JobStatus.RUNNING).withColdStart(cold));
        Inference inference;
        try {
            inference = engine.run(model, input);
        } catch (InvalidInputException e) {
            fail(job, FailureReason.INVALID_INPUT, "model '" + model.name() + "' cannot read "
                    + job.input().uri() + ": " + e.getMessage(), cold);
            return;
        } catch (ModelFailureException e) {
            fail(job, FailureReason.MODEL_ERROR, e.getMessage(), cold);
            return;
        }
        long t1 = System.nanoTime();
        String bucket = resultsBucket.isEmpty() ? job.input().bucket() : resultsBucket;
        String key = RemoteJob.resultKey(resultsPrefix, job.model(), job.owner(), job.jobId());
        ObjectRef output = results.write(bucket, key, document(job, model, inference));
        long uploadMs = (System.nanoTime() - t1) / 1_000_000;
        Instant finished = clock.instant();
        Long queueWait = job.requestedAt() == null ? null
                : Math.max(0, Duration.between(job.requestedAt(), started).toMillis());
        Long total = job.requestedAt() == null ? null
                : Math.max(0, Duration.between(job.requestedAt(), finished).toMillis());
        Timings timings = new Timings(queueWait, downloadMs, inference.modelLoadMs(), inference.inferenceMs(),
                uploadMs, total);
        List<Prediction> top = inference.rows().getFirst();
        events.statusChanged(JobStatusChanged
                .of(job.jobId(), job.model(), job.owner(), JobStatus.SUCCEEDED, job.attempt(), finished)
                .withBackend(Backend.ONPREM, null).withOutput(output).withColdStart(inference.coldStart())
                .withTimings(timings).withPredictions(top).withEstimatedCost(job.estimatedCostUsd())
                .withMessage("top answer '" + top.getFirst().label() + "' with probability "
                        + String.format(java.util.Locale.ROOT, "%.3f", top.getFirst().probability())));
        events.result(new JobResult(job.jobId(), job.model(), job.owner(), job.attempt(), Backend.ONPREM,
                job.input(), output, top, timings, finished, job.estimatedCostUsd()));
    }

    /** Ends the job FAILED because of an unexpected error, on the last delivery attempt. */
    public void failUnexpectedly(JobDispatched job, Throwable error) {
        fail(job, FailureReason.INTERNAL_ERROR, "the worker could not run the job: " + error, null);
    }

    private void fail(JobDispatched job, FailureReason reason, String message, Boolean cold) {
        events.statusChanged(JobStatusChanged
                .of(job.jobId(), job.model(), job.owner(), JobStatus.FAILED, job.attempt(), clock.instant())
                .withBackend(Backend.ONPREM, null).withColdStart(cold).withFailure(reason, message));
    }

    private JobStatusChanged status(JobDispatched job, JobStatus status) {
        return JobStatusChanged.of(job.jobId(), job.model(), job.owner(), status, job.attempt(), clock.instant())
                .withBackend(Backend.ONPREM, null);
    }

    /** {@code result.json}: the paper's Figure 9 (labels, probabilities, links), plus what the job was. */
    private Map<String, Object> document(JobDispatched job, ModelEntry model, Inference inference) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("jobId", job.jobId());
        doc.put("model", model.name());
        doc.put("modelVersion", model.card().version());
        doc.put("owner", job.owner());
        doc.put("input", job.input().uri());
        doc.putAll(ResultDocument.answer(model, inference));
        doc.put("completedAt", clock.instant().toString());
        return doc;
    }
}
