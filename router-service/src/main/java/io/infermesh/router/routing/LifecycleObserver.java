package io.infermesh.router.routing;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ModelCatalogue;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.router.backend.Backends;
import io.infermesh.router.placement.PlacementPolicy;
import io.infermesh.router.placement.RecentJobs;
import io.infermesh.router.placement.RunTimes;
import io.infermesh.router.tracking.FinalOutcomes;
import io.infermesh.router.tracking.Ledger;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the router learns from {@code infermesh.jobs.lifecycle}, whoever published it (workers, ingest-service's
 * cloud completion intake, the router's own Batch polling):
 * <ul>
 *   <li>run times per model and backend, for {@code auto};</li>
 *   <li>backlogs and warmth, through the {@link Ledger};</li>
 *   <li>cloud outcomes for the circuit breakers: a throttled, failed or timed-out cloud job counts as a failure
 *       of its backend, a success as a success;</li>
 *   <li>{@code lambda-batch}: attempt N that failed on Lambda because it timed out or was throttled is dispatched
 *       to Batch as attempt N+1, once — never for a job that has ended SUCCEEDED or CANCELLED, in any attempt
 *       ({@link FinalOutcomes}, followed here from every event).</li>
 * </ul>
 */
final class LifecycleObserver {

    private static final Logger log = LoggerFactory.getLogger(LifecycleObserver.class);
    private static final Set<FailureReason> BACKEND_FAULTS =
            Set.of(FailureReason.THROTTLED, FailureReason.BACKEND_ERROR, FailureReason.TIMEOUT);

    private final Ledger ledger;
    private final RunTimes runTimes;
    private final Backends backends;
    private final Dispatcher dispatcher;
    private final ModelCatalogue catalogue;
    private final MeterRegistry meters;
    private final RecentJobs placedAttempts;
    private final FinalOutcomes finals;
    private final RecentJobs outcomes = new RecentJobs(100_000);

    /**
     * @param placedAttempts the attempts already placed, shared with the request consumer: a re-dispatch to Batch
     *     and an owner's retry both start attempt N+1, and only the first of them runs
     * @param finals the jobs' final outcomes, which this observer keeps up to date for the dispatcher
     */
    LifecycleObserver(
            Ledger ledger,
            RunTimes runTimes,
            Backends backends,
            Dispatcher dispatcher,
            ModelCatalogue catalogue,
            MeterRegistry meters,
            RecentJobs placedAttempts,
            FinalOutcomes finals) {
        this.placedAttempts = placedAttempts;
        this.finals = finals;
        this.ledger = ledger;
        this.runTimes = runTimes;
        this.backends = backends;
        this.dispatcher = dispatcher;
        this.catalogue = catalogue;
        this.meters = meters;
    }

    public void accept(JobStatusChanged event) {
        finals.observe(event.jobId(), event.attempt(), event.status());
        var inFlight = ledger.remote(event.jobId(), event.attempt());
        ledger.observe(event).ifPresent(seconds -> {
            if (event.backend() != null) {
                runTimes.observe(event.model(), event.backend(), seconds);
            }
        });
        if (event.backend() == null
                || event.backend() == Backend.ONPREM
                || !event.status().isTerminal()) {
            return;
        }
        boolean fault = event.status() == JobStatus.FAILED && BACKEND_FAULTS.contains(event.reason());
        if (event.status() == JobStatus.FAILED
                && event.reason() == FailureReason.TIMEOUT
                && event.backend() == Backend.LAMBDA) {
            // the run needed more than the function's limit: Lambda leaves placement for this model until it is
            // observed to run faster again
            runTimes.observeTimeout(
                    event.model(),
                    Backend.LAMBDA,
                    catalogue
                            .find(event.model())
                            .map(PlacementPolicy::lambdaLimitSeconds)
                            .orElse(PlacementPolicy.LAMBDA_MAX_SECONDS));
        }
        // count each outcome once: the same event may come from ingest and from Batch polling, or be redelivered
        if ((event.status() == JobStatus.SUCCEEDED || fault) && outcomes.firstTime(event.eventId())) {
            backends.recordOutcome(event.backend(), fault);
        }
        if (event.status() != JobStatus.FAILED
                || event.backend() != Backend.LAMBDA
                || (event.reason() != FailureReason.TIMEOUT && event.reason() != FailureReason.THROTTLED)) {
            return;
        }
        String mode = catalogue.find(event.model()).map(PlacementPolicy::mode).orElse("");
        if (!"lambda-batch".equals(mode)) {
            return;
        }
        if (!placedAttempts.firstTime(event.jobId(), event.attempt() + 1)) {
            return;
        }
        ObjectRef input = event.input() != null
                ? event.input()
                : inFlight.map(f -> f.job().input()).orElse(null);
        Instant requestedAt = inFlight.map(f -> f.job().requestedAt()).orElse(null);
        if (input == null) {
            log.error(
                    "job {} attempt {} failed on Lambda ({}) but neither the event nor this router knows its input;"
                            + " it cannot be re-dispatched to Batch and stays FAILED",
                    event.jobId(),
                    event.attempt(),
                    event.reason());
            return;
        }
        String why = "attempt " + event.attempt() + " on AWS Lambda "
                + (event.reason() == FailureReason.TIMEOUT ? "timed out" : "was throttled")
                + "; lambda-batch re-dispatches it to AWS Batch as attempt " + (event.attempt() + 1);
        try {
            if (dispatcher.retry(event, input, requestedAt, Backend.BATCH, why)) {
                meters.counter("infermesh.router.lambda_batch_fallbacks", "model", event.model())
                        .increment();
            }
        } catch (RuntimeException e) {
            placedAttempts.forget(event.jobId(), event.attempt() + 1);
            throw e;
        }
    }
}
