package io.infermesh.worker.jobs;

import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Prediction;
import io.infermesh.contracts.Timings;
import io.infermesh.worker.catalogue.WorkerModels;
import io.infermesh.worker.engine.Inference;
import io.infermesh.worker.engine.InferenceEngine;
import io.infermesh.worker.engine.InvalidInputException;
import io.infermesh.worker.engine.ModelEntry;
import io.infermesh.worker.engine.ModelFailureException;
import io.infermesh.worker.engine.ResultDocument;
import io.infermesh.worker.engine.RunTimeoutException;
import io.infermesh.worker.engine.Tensor;
import io.infermesh.worker.storage.ObjectStorage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs an attempt of a job — the one runner of every backend (ADR 0020): the pool, the Lambda handler, {@code predict
 * --job-from-env} (the Batch container) and {@code predict --input-file}. Each gives it its {@link Events} sink (the
 * pool: the lifecycle and results topics; the others: an {@link AttemptOutcome} they turn into a returned result or a
 * thrown failure, an exit code, or a printed answer), where the input comes from ({@link Inputs}) and where
 * {@code result.json} goes ({@link ResultWriter}). STARTING, download, RUNNING, the engine, {@code result.json}, then
 * SUCCEEDED and the result record, or FAILED with a reason ({@link #reasonOf}, the one mapping) and a sentence a person
 * understands. Business failures (a bad input, an unknown or broken model, a missing object, a run over the model's
 * time limit) end the job; anything else propagates so that the pool retries, and the last attempt still ends the job
 * FAILED before the record is dead-lettered ({@link #runOnce} for the backends that give no second try). A dispatch of
 * a cancelled attempt is not started at all (ADR 0016): no event, no download, no run, no result; it has ended as far
 * as the pool is concerned.
 */
public final class JobRunner {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    /**
     * A step of a job failed unexpectedly (storage, Kafka, a bug); the message is a sentence naming the step, for the
     * job's owner and the dead letter, the cause is what failed, for the log. Never the cause's text in the message.
     */
    static final class StepFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StepFailedException(String step, RuntimeException cause) {
            super(sentence(step, cause), cause);
        }

        private static String sentence(String step, RuntimeException cause) {
            if (cause instanceof ObjectStorage.StorageFailedException
                    || cause instanceof ObjectStorage.ObjectMissingException) {
                return cause.getMessage(); // written as a sentence for this, naming the object
            }
            return "the worker could not " + step + ": an unexpected error (the worker's log has the details)";
        }
    }

    /** Why {@link Events#skipped} was told of a job: its attempt was cancelled before it started. */
    static final String CANCELLED = "cancelled";

    /** The events sink: where the job's events and result go, as the backend reports them. */
    public interface Events {
        /** Each status the job reaches: STARTING, RUNNING, then SUCCEEDED or FAILED (with its reason). */
        void statusChanged(JobStatusChanged event);

        /** The result of a job that SUCCEEDED, after its SUCCEEDED event. */
        void result(JobResult result);

        /** A dispatch that was not started, and why ({@link #CANCELLED}); it produced nothing else. */
        void skipped(JobDispatched job, String reason);
    }

    /** Which attempts were cancelled. Asked once for every dispatch before it starts: a lookup, never a call out. */
    public interface Cancellations {
        /** No attempt is cancelled: the backends outside the pool learn of cancellations from no topic. */
        Cancellations NONE = (jobId, attempt) -> false;

        boolean cancelled(String jobId, int attempt);
    }

    /**
     * Where the input comes from: the object store, or the bytes {@code predict} read. Throws
     * {@link ObjectStorage.ObjectMissingException} for an input that is not there.
     */
    public interface Inputs {
        byte[] read(ObjectRef input);
    }

    /** Where {@code result.json} is written. */
    public interface ResultWriter {
        ObjectRef write(String bucket, String key, Map<String, Object> document);

        /** {@code result.json} as JSON in the object store. */
        static ResultWriter stored(ObjectStorage storage, JsonMapper json) {
            return (bucket, key, document) ->
                    storage.write(bucket, key, json.writeValueAsBytes(document), "application/json");
        }
    }

    /** Where results go when the job does not say (its {@code output} is absent): the input's bucket, this prefix. */
    public static final String DEFAULT_RESULTS_PREFIX = "results/";

    private final WorkerModels models;
    private final InferenceEngine engine;
    private final Inputs inputs;
    private final ResultWriter results;
    private final Events events;
    private final Cancellations cancellations;
    private final String resultsBucket;
    private final String resultsPrefix;
    private final Clock clock;

    /**
     * @param resultsBucket where results go when the job does not say; empty: the input's own bucket
     * @param resultsPrefix the key prefix of results when the job does not say
     */
    public JobRunner(
            WorkerModels models,
            InferenceEngine engine,
            Inputs inputs,
            ResultWriter results,
            Events events,
            Cancellations cancellations,
            String resultsBucket,
            String resultsPrefix,
            Clock clock) {
        this.models = models;
        this.engine = engine;
        this.inputs = inputs;
        this.results = results;
        this.events = events;
        this.cancellations = cancellations;
        this.resultsBucket = resultsBucket;
        this.resultsPrefix = resultsPrefix;
        this.clock = clock;
    }

    /**
     * How the pool came to run a batch: after waking from zero ({@code wakeMs} from seeing the backlog to consuming)
     * or warm ({@link #WARM}).
     */
    public record Start(Long wakeMs) {
        public static final Start WARM = new Start(null);
    }

    /**
     * A runner for one attempt outside the pool (the Lambda handler, the Batch container, {@code predict}): no
     * cancellations, results where the job says (else in the input's bucket under {@value #DEFAULT_RESULTS_PREFIX}).
     */
    public static JobRunner outsideThePool(
            WorkerModels models, InferenceEngine engine, Inputs inputs, ResultWriter results, Events events) {
        return new JobRunner(
                models,
                engine,
                inputs,
                results,
                events,
                Cancellations.NONE,
                "",
                DEFAULT_RESULTS_PREFIX,
                Clock.systemUTC());
    }

    /** What a record handed to a backend lacks to be run ({@code "jobId, model"}), if anything. */
    public static Optional<String> missingFields(JobDispatched job) {
        List<String> missing = new ArrayList<>();
        if (job.jobId() == null || job.jobId().isBlank()) {
            missing.add("jobId");
        }
        if (job.model() == null || job.model().isBlank()) {
            missing.add("model");
        }
        if (job.input() == null) {
            missing.add("input");
        }
        return missing.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", missing));
    }

    /** Runs one job; an unexpected error propagates (the caller retries). */
    public void run(JobDispatched job) {
        Map<JobDispatched, RuntimeException> unexpected = runAll(List.of(job), Start.WARM);
        if (!unexpected.isEmpty()) {
            throw unexpected.values().iterator().next();
        }
    }

    /**
     * Runs one job that gets no second try (Lambda, Batch, {@code predict}): an unexpected error ends it FAILED
     * ({@code INTERNAL_ERROR}, with the sentence of the step that failed) at once; the error itself goes to the log.
     */
    public void runOnce(JobDispatched job) {
        try {
            run(job);
        } catch (RuntimeException e) {
            log.error("job {} attempt {} failed unexpectedly", job.jobId(), job.attempt(), e);
            failUnexpectedly(job, e);
        }
    }

    /**
     * The one mapping from what went wrong in a run to the job's reason, the same on every backend: an input that is
     * not there {@code INPUT_NOT_FOUND}, one the model cannot read {@code INVALID_INPUT}, a run over the card's time
     * limit {@code TIMEOUT}, a model that cannot be loaded or fails {@code MODEL_ERROR}, anything else
     * {@code INTERNAL_ERROR}.
     */
    public static FailureReason reasonOf(RuntimeException e) {
        return switch (e) {
            case ObjectStorage.ObjectMissingException missing -> FailureReason.INPUT_NOT_FOUND;
            case InvalidInputException invalid -> FailureReason.INVALID_INPUT;
            case RunTimeoutException timeout -> FailureReason.TIMEOUT;
            case ModelFailureException model -> FailureReason.MODEL_ERROR;
            default -> FailureReason.INTERNAL_ERROR;
        };
    }

    /** A job between its download and its answer. */
    private static final class Prepared {
        final JobDispatched job;
        final Instant started;
        long downloadMs;
        long decodeNanos;
        Tensor tensor;
        Inference inference;

        Prepared(JobDispatched job, Instant started) {
            this.job = job;
            this.started = started;
        }
    }

    /**
     * Runs jobs of one model together: each is announced STARTING, downloaded and decoded on its own (a bad one fails
     * alone), then all run in one model invocation where the model batches. A batch that overruns the model's limit
     * is run again job by job, each with its full limit, so that only the slow job fails {@code TIMEOUT}. Jobs whose
     * attempt was cancelled are skipped first, so they neither start nor make the batch cold.
     *
     * @return the jobs that failed unexpectedly (storage or Kafka trouble), with their error, for the caller to retry;
     *     every other job has ended SUCCEEDED or FAILED, or was skipped
     */
    public Map<JobDispatched, RuntimeException> runAll(List<JobDispatched> jobs, Start start) {
        Map<JobDispatched, RuntimeException> unexpected = new LinkedHashMap<>();
        Map<String, List<JobDispatched>> byModel = new LinkedHashMap<>();
        for (JobDispatched job : jobs) {
            if (cancellations.cancelled(job.jobId(), job.attempt())) {
                guarded(job, unexpected, "skip the cancelled job", () -> events.skipped(job, CANCELLED));
            } else {
                byModel.computeIfAbsent(job.model(), m -> new ArrayList<>()).add(job);
            }
        }
        byModel.forEach((name, ofModel) -> {
            Optional<ModelEntry> found = models.find(name);
            if (found.isEmpty()) {
                ofModel.forEach(job -> guarded(
                        job,
                        unexpected,
                        "report the job FAILED",
                        () -> fail(
                                job,
                                FailureReason.UNKNOWN_MODEL,
                                "there is no model named '" + name + "' here; models: " + models.names(),
                                null)));
                return;
            }
            runModel(found.get(), ofModel, start, unexpected);
        });
        return unexpected;
    }

    private void runModel(
            ModelEntry model, List<JobDispatched> jobs, Start start, Map<JobDispatched, RuntimeException> unexpected) {
        boolean cold = !engine.isLoaded(model.name());
        List<Prepared> prepared = new ArrayList<>();
        for (JobDispatched job : jobs) {
            guarded(job, unexpected, "announce the job STARTING", () -> {
                events.statusChanged(status(job, JobStatus.STARTING).withColdStart(cold));
                prepared.add(new Prepared(job, clock.instant()));
            });
        }
        InferenceEngine.Warm warm;
        try {
            warm = engine.load(model);
        } catch (ModelFailureException e) {
            prepared.forEach(p -> guarded(
                    p.job, unexpected, "report the job FAILED", () -> fail(p.job, reasonOf(e), e.getMessage(), cold)));
            return;
        }
        List<Prepared> ready = new ArrayList<>();
        for (Prepared p : prepared) {
            guarded(
                    p.job,
                    unexpected,
                    "download and decode the input " + p.job.input().uri(),
                    () -> {
                        if (download(model, p, cold)) {
                            events.statusChanged(
                                    status(p.job, JobStatus.RUNNING).withColdStart(cold));
                            ready.add(p);
                        }
                    });
        }
        if (ready.isEmpty()) {
            return;
        }
        Duration limit = InferenceEngine.timeout(model.card());
        boolean oneByOne = false;
        try {
            List<Inference> answers = engine.runAll(
                    model,
                    ready.stream().map(p -> p.tensor).toList(),
                    limit.minusNanos(
                            ready.stream().mapToLong(p -> p.decodeNanos).max().orElse(0)));
            for (int i = 0; i < ready.size(); i++) {
                ready.get(i).inference = answers.get(i);
            }
        } catch (RuntimeException e) {
            if (!(e instanceof ModelFailureException)) {
                // not the model's answer to these inputs (a bug, or the engine broken): tried again by the caller
                ready.forEach(
                        p -> unexpected.put(p.job, new StepFailedException("run model '" + model.name() + "'", e)));
                return;
            }
            if (ready.size() == 1) {
                failRun(model, ready.getFirst(), (ModelFailureException) e, cold, unexpected);
                ready.clear();
            } else {
                // run them one by one: only the job that overruns (or breaks the model) fails
                oneByOne = true;
                for (Prepared p : List.copyOf(ready)) {
                    try {
                        p.inference = engine.runAll(model, List.of(p.tensor), limit.minusNanos(p.decodeNanos))
                                .getFirst();
                    } catch (ModelFailureException alone) {
                        failRun(model, p, alone, cold, unexpected);
                        ready.remove(p);
                    }
                }
            }
        }
        int batchSize = oneByOne ? 1 : ready.size();
        for (Prepared p : ready) {
            guarded(
                    p.job,
                    unexpected,
                    "write and announce the job's result",
                    () -> succeed(model, p, cold, warm, start, batchSize));
        }
    }

    private void failRun(
            ModelEntry model,
            Prepared p,
            ModelFailureException e,
            boolean cold,
            Map<JobDispatched, RuntimeException> unexpected) {
        logCause(p.job, e);
        guarded(p.job, unexpected, "report the job FAILED", () -> fail(p.job, reasonOf(e), e.getMessage(), cold));
    }

    /** Reads and decodes the input; false when the job has ended FAILED. */
    private boolean download(ModelEntry model, Prepared p, boolean cold) {
        JobDispatched job = p.job;
        long t0 = System.nanoTime();
        byte[] input;
        try {
            input = inputs.read(job.input());
        } catch (ObjectStorage.ObjectMissingException e) {
            logCause(job, e);
            fail(job, reasonOf(e), e.getMessage(), cold);
            return false;
        }
        p.downloadMs = (System.nanoTime() - t0) / 1_000_000;
        Optional<String> tooLarge = model.card().inputTooLarge(input.length);
        if (tooLarge.isPresent()) {
            fail(job, FailureReason.INPUT_TOO_LARGE, tooLarge.get(), cold);
            return false;
        }
        long t1 = System.nanoTime();
        try {
            p.tensor = engine.decode(model, input);
        } catch (InvalidInputException | ModelFailureException e) {
            logCause(job, e);
            fail(job, reasonOf(e), e.getMessage(), cold);
            return false;
        }
        p.decodeNanos = System.nanoTime() - t1;
        return true;
    }

    private void succeed(
            ModelEntry model, Prepared p, boolean cold, InferenceEngine.Warm warm, Start start, int batchSize) {
        JobDispatched job = p.job;
        Inference inference = p.inference;
        long t1 = System.nanoTime();
        ObjectRef where = job.output() != null
                ? job.output()
                : ObjectRef.of(
                        resultsBucket.isEmpty() ? job.input().bucket() : resultsBucket,
                        JobDispatched.resultKey(resultsPrefix, job.model(), job.owner(), job.jobId()));
        ObjectRef output = results.write(
                where.bucket(),
                where.key(),
                ResultDocument.result(job.jobId(), job.owner(), job.input(), model, inference, clock.instant()));
        long uploadMs = (System.nanoTime() - t1) / 1_000_000;
        Instant finished = clock.instant();
        Long queueWait = job.requestedAt() == null
                ? null
                : Math.max(0, Duration.between(job.requestedAt(), p.started).toMillis());
        Long total = job.requestedAt() == null
                ? null
                : Math.max(0, Duration.between(job.requestedAt(), finished).toMillis());
        Timings timings = new Timings(
                queueWait,
                p.downloadMs,
                cold ? warm.loadMs() : 0L,
                p.decodeNanos / 1_000_000 + inference.inferenceMs(),
                uploadMs,
                total,
                cold ? start.wakeMs() : null,
                cold ? warm.warmupMs() : null,
                batchSize);
        List<Prediction> top = inference.rows().getFirst();
        events.statusChanged(JobStatusChanged.of(
                        job.jobId(), job.model(), job.owner(), JobStatus.SUCCEEDED, job.attempt(), finished)
                .withBackend(job.backendOrOnprem(), null)
                .withOutput(output)
                .withColdStart(cold)
                .withTimings(timings)
                .withPredictions(top)
                .withEstimatedCost(job.estimatedCostUsd())
                .withMessage("top answer '" + top.getFirst().label() + "' with probability "
                        + String.format(Locale.ROOT, "%.3f", top.getFirst().probability())));
        events.result(new JobResult(
                job.jobId(),
                job.model(),
                job.owner(),
                job.attempt(),
                job.backendOrOnprem(),
                job.input(),
                output,
                top,
                timings,
                finished,
                job.estimatedCostUsd(),
                inference.executionProvider() == null
                        ? null
                        : inference.executionProvider().name()));
    }

    /** Runs a step of a job; what it throws is kept for the caller's retry, named by {@code what} the step does. */
    private static void guarded(
            JobDispatched job, Map<JobDispatched, RuntimeException> unexpected, String what, Runnable step) {
        if (unexpected.containsKey(job)) {
            return;
        }
        try {
            step.run();
        } catch (StepFailedException e) {
            unexpected.put(job, e);
        } catch (RuntimeException e) {
            unexpected.put(job, new StepFailedException(what, e));
        }
    }

    /** What the library or store said about a business failure: for the log, never for the job's message. */
    private static void logCause(JobDispatched job, RuntimeException e) {
        if (e.getCause() != null) {
            log.warn(
                    "job {} attempt {}: {} ({})",
                    job.jobId(),
                    job.attempt(),
                    e.getMessage(),
                    e.getCause().toString());
        }
    }

    /** Ends the job FAILED because of an unexpected error, on the last delivery attempt. */
    public void failUnexpectedly(JobDispatched job, Throwable error) {
        fail(job, FailureReason.INTERNAL_ERROR, unexpectedMessage(error), null);
    }

    /**
     * The job's message for an unexpected error: the sentence of the step that failed, else a generic one. Never the
     * error's own text, class or stack (the pool logs those).
     */
    static String unexpectedMessage(Throwable error) {
        return error instanceof StepFailedException step
                ? step.getMessage()
                : "the worker could not run the job: an unexpected error (the worker's log has the details)";
    }

    private void fail(JobDispatched job, FailureReason reason, String message, Boolean cold) {
        events.statusChanged(JobStatusChanged.of(
                        job.jobId(), job.model(), job.owner(), JobStatus.FAILED, job.attempt(), clock.instant())
                .withBackend(job.backendOrOnprem(), null)
                .withColdStart(cold)
                .withFailure(reason, message));
    }

    private JobStatusChanged status(JobDispatched job, JobStatus status) {
        return JobStatusChanged.of(job.jobId(), job.model(), job.owner(), status, job.attempt(), clock.instant())
                .withBackend(job.backendOrOnprem(), null);
    }
}
