package io.infermesh.router.routing;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.ModelCatalogue;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.PlacementDecision;
import io.infermesh.events.JobEventSender;
import io.infermesh.router.backend.BackendException;
import io.infermesh.router.backend.Backends;
import io.infermesh.router.backend.ComputeBackend;
import io.infermesh.router.placement.PlacementPolicy;
import io.infermesh.router.tracking.FinalOutcomes;
import io.infermesh.router.tracking.Ledger;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places a job attempt and hands it to its backend, falling back to the next eligible backend when one refuses,
 * and publishes what happened: RUNNABLE with the decision, or FAILED with the reason. Never leaves a job without
 * an outcome: if every backend refuses, the attempt ends FAILED (BACKEND_UNAVAILABLE or THROTTLED).
 *
 * <p>Order of events: for the on-prem pool RUNNABLE is published before the dispatch record, so that it never
 * trails the worker's STARTING; for cloud backends after the backend accepted the job, so that RUNNABLE names
 * the backend that really has it (a cloud completion arriving first is fine: status-service orders by rank).
 *
 * <p>Starts no attempt of a job that has ended SUCCEEDED or CANCELLED ({@link FinalOutcomes}, ADR 0016): checked when
 * a request or a re-dispatch arrives and again before each backend is handed the attempt, so that an outcome observed
 * meanwhile (while a backend refused and the next is tried) still stops it. Nothing is published for a skipped
 * attempt; it is logged and counted in {@code infermesh.router.skipped{reason, kind}}.
 */
final class Dispatcher {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    /** The {@code kind} tags of {@code infermesh.router.skipped}: what would have started the attempt. */
    private static final String KIND_REQUEST = "request";

    private static final String KIND_REDISPATCH = "redispatch";

    private final PlacementPolicy policy;
    private final Backends backends;
    private final Ledger ledger;
    private final FinalOutcomes finals;
    private final JobEventSender publisher;
    private final ModelCatalogue catalogue;
    private final MeterRegistry meters;
    private final Clock clock;
    private final String resultsBucket;
    private final String resultsPrefix;

    Dispatcher(
            PlacementPolicy policy,
            Backends backends,
            Ledger ledger,
            FinalOutcomes finals,
            JobEventSender publisher,
            ModelCatalogue catalogue,
            MeterRegistry meters,
            Clock clock,
            String resultsBucket,
            String resultsPrefix) {
        this.policy = policy;
        this.backends = backends;
        this.ledger = ledger;
        this.finals = finals;
        this.publisher = publisher;
        this.catalogue = catalogue;
        this.meters = meters;
        this.clock = clock;
        this.resultsBucket = resultsBucket;
        this.resultsPrefix = resultsPrefix;
    }

    /**
     * Places and dispatches the attempt a request starts: attempt 1 of a new job, or the later attempt of a retry its
     * owner asked for. Every event of the placement carries that attempt. A request of a job that has ended
     * SUCCEEDED or CANCELLED is dropped.
     */
    public void route(JobRequested job) {
        Instant now = clock.instant();
        int attempt = job.attemptOrFirst();
        if (settled(job.jobId(), attempt, KIND_REQUEST)) {
            return;
        }
        var card = catalogue.find(job.model());
        if (card.isPresent()) {
            ledger.arrived(job.model());
        }
        switch (policy.place(job, card, now)) {
            case PlacementPolicy.Placed placed ->
                dispatch(
                        job.jobId(),
                        job.model(),
                        job.owner(),
                        job.input(),
                        job.requestedAt(),
                        attempt,
                        card.get(),
                        placed,
                        KIND_REQUEST);
            case PlacementPolicy.Rejected rejected ->
                fail(
                        job.jobId(),
                        job.model(),
                        job.owner(),
                        attempt,
                        null,
                        rejected.reason(),
                        rejected.message(),
                        rejected.decision());
        }
    }

    /**
     * Dispatches a later attempt on {@code backend} (lambda-batch's fallback to Batch).
     *
     * @param why what happened to the previous attempt, for people
     * @return false when the job has ended SUCCEEDED or CANCELLED and no attempt was started
     */
    public boolean retry(JobStatusChanged previous, ObjectRef input, Instant requestedAt, Backend backend, String why) {
        var card = catalogue.find(previous.model());
        int attempt = previous.attempt() + 1;
        if (settled(previous.jobId(), attempt, KIND_REDISPATCH)) {
            return false;
        }
        if (card.isEmpty()) {
            fail(
                    previous.jobId(),
                    previous.model(),
                    previous.owner(),
                    attempt,
                    null,
                    FailureReason.UNKNOWN_MODEL,
                    "model '" + previous.model() + "' left the catalogue before attempt " + attempt,
                    null);
            return true;
        }
        return switch (policy.placeRetry(card.get(), backend, why)) {
            case PlacementPolicy.Placed placed ->
                dispatch(
                        previous.jobId(),
                        previous.model(),
                        previous.owner(),
                        input,
                        requestedAt,
                        attempt,
                        card.get(),
                        placed,
                        KIND_REDISPATCH);
            case PlacementPolicy.Rejected rejected -> {
                fail(
                        previous.jobId(),
                        previous.model(),
                        previous.owner(),
                        attempt,
                        null,
                        rejected.reason(),
                        rejected.message(),
                        rejected.decision());
                yield true;
            }
        };
    }

    /** Whether the job has ended SUCCEEDED or CANCELLED, so that {@code attempt} must not start (logged, counted). */
    private boolean settled(String jobId, int attempt, String kind) {
        FinalOutcomes.State done = finals.finalState(jobId);
        if (done == null) {
            return false;
        }
        String outcome = done.status().name().toLowerCase(Locale.ROOT);
        meters.counter("infermesh.router.skipped", "reason", outcome, "kind", kind)
                .increment();
        log.info(
                "job {} attempt {} not started ({}): the job already {} in attempt {}, which is final (ADR 0016)",
                jobId,
                attempt,
                kind,
                done.status(),
                done.attempt());
        return true;
    }

    /** Returns false when the attempt was not started because the job ended SUCCEEDED or CANCELLED meanwhile. */
    private boolean dispatch(
            String jobId,
            String model,
            String owner,
            ObjectRef input,
            Instant requestedAt,
            int attempt,
            ModelCard card,
            PlacementPolicy.Placed placed,
            String kind) {
        var accepted = ledger.remote(jobId, attempt);
        if (accepted.isPresent()) {
            // a redelivery after a cloud backend accepted the attempt but its announcement failed: announce, once
            publisher.statusChanged(accepted.get().announcement());
            return true;
        }
        List<String> order = new ArrayList<>();
        order.add(placed.target());
        order.addAll(placed.fallbackTargets());
        List<String> refusals = new ArrayList<>();
        BackendException last = null;
        for (String target : order) {
            // the wire value; null for a backend added through the SPI, whose events name it in the reason (ADR 0023)
            Backend backend = PlacementPolicy.shippedBackend(target);
            boolean onprem = backend == Backend.ONPREM;
            if (settled(jobId, attempt, kind)) {
                return false;
            }
            Instant now = clock.instant();
            String reason = refusals.isEmpty()
                    ? placed.reason()
                    : placed.reason() + "; " + String.join("; ", refusals) + "; so " + policy.name(target);
            double cost = target.equals(placed.target())
                    ? placed.estimatedCostUsd()
                    : policy.estimate(card, target).costUsd();
            PlacementDecision decision = placed.decision() == null
                    ? null
                    : new PlacementDecision(
                            placed.decision().mode(),
                            backend,
                            reason,
                            placed.decision().deadlineSeconds(),
                            placed.decision().alternatives());
            JobStatusChanged runnable = JobStatusChanged.of(jobId, model, owner, JobStatus.RUNNABLE, attempt, now)
                    .withBackend(backend, reason)
                    .withDecision(decision)
                    .withEstimatedCost(cost)
                    .withInput(input);
            JobDispatched remote = new JobDispatched(
                    jobId,
                    model,
                    owner,
                    input,
                    attempt,
                    reason,
                    requestedAt,
                    now,
                    cost,
                    backend,
                    // the pool writes where its workers are configured to (results-bucket, results-prefix)
                    onprem ? null : output(input, model, owner, jobId),
                    deadline(card, requestedAt));
            if (onprem) {
                // RUNNABLE first; a Kafka failure here propagates and the request is redelivered (Kafka is down:
                // no other backend's RUNNABLE could be published either)
                ledger.dispatchedOnprem(
                        jobId, attempt, model, policy.estimate(card, target).runSeconds());
                try {
                    publisher.statusChanged(runnable);
                    backends.dispatch(target, remote, card);
                } catch (RuntimeException e) {
                    ledger.undoOnprem(jobId, attempt);
                    throw e;
                }
                count(model, target);
                return true;
            }
            try {
                ComputeBackend.Handle handle = backends.dispatch(target, remote, card);
                JobStatusChanged announced = runnable.withMessage(handle.detail());
                ledger.dispatchedRemote(remote, handle.id(), announced);
                publisher.statusChanged(announced);
                count(model, target);
                log.info("job {} attempt {} placed on {}: {}", jobId, attempt, target, handle.detail());
                return true;
            } catch (BackendException e) {
                last = e;
                // the backend's message is a sentence without AWS's or the SDK's text (those are in the log)
                refusals.add(policy.name(target) + " refused it: " + e.getMessage());
                meters.counter(
                                "infermesh.router.dispatch.failures",
                                "backend",
                                target,
                                "kind",
                                e.kind().name().toLowerCase(Locale.ROOT))
                        .increment();
                log.warn("job {} attempt {}: {} refused it: {}", jobId, attempt, target, e.getMessage());
            }
        }
        FailureReason reason = last != null && last.kind() == BackendException.Kind.THROTTLED
                ? FailureReason.THROTTLED
                : FailureReason.BACKEND_UNAVAILABLE;
        // backend null: the attempt ran nowhere (and is no cloud outcome for breakers or lambda-batch)
        fail(
                jobId,
                model,
                owner,
                attempt,
                null,
                reason,
                "no backend accepted the job: " + String.join("; ", refusals),
                placed.decision());
        return true;
    }

    private void fail(
            String jobId,
            String model,
            String owner,
            int attempt,
            Backend backend,
            FailureReason reason,
            String message,
            PlacementDecision decision) {
        JobStatusChanged failed = JobStatusChanged.of(jobId, model, owner, JobStatus.FAILED, attempt, clock.instant())
                .withBackend(backend, null)
                .withFailure(reason, message)
                .withDecision(decision);
        publisher.statusChanged(failed);
        meters.counter("infermesh.router.rejections", "reason", reason.name()).increment();
        log.info("job {} attempt {} failed: {}", jobId, attempt, message);
    }

    private ObjectRef output(ObjectRef input, String model, String owner, String jobId) {
        String bucket = resultsBucket.isEmpty() && input != null ? input.bucket() : resultsBucket;
        return ObjectRef.of(bucket, JobDispatched.resultKey(resultsPrefix, model, owner, jobId));
    }

    /** When the job should have finished: its request plus the card's placement deadline, if it sets one. */
    private static Instant deadline(ModelCard card, Instant requestedAt) {
        Integer seconds = card.placement() == null ? null : card.placement().deadlineSeconds();
        return seconds == null || requestedAt == null ? null : requestedAt.plusSeconds(seconds);
    }

    private void count(String model, String backend) {
        meters.counter("infermesh.router.placements", "model", model, "backend", backend)
                .increment();
    }
}
