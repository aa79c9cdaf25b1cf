package io.infermesh.router.aws;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.Timings;
import io.infermesh.events.JobEventSender;
import io.infermesh.router.backend.BackendException;
import io.infermesh.router.tracking.FinalOutcomes;
import io.infermesh.router.tracking.Ledger;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.batch.model.JobDetail;

/**
 * The fallback for late Batch state-change events: every poll, the Batch jobs this router submitted whose status
 * has not moved for {@code lateAfter} are described (DescribeJobs, 100 per call), and any newer status is published
 * on the lifecycle, exactly as ingest-service would from the event (same event ids, so whichever arrives second is
 * a duplicate that consumers drop). A SUCCEEDED job also gets its result record — unless the job has already ended
 * SUCCEEDED in another attempt or CANCELLED ({@link FinalOutcomes}, ADR 0016): that record is left out, logged and
 * counted in {@code infermesh.router.skipped{kind="result"}}. FAILED says in a sentence why ({@link BatchFailures});
 * Batch's own words go to the log.
 */
final class BatchPoller {

    private static final Logger log = LoggerFactory.getLogger(BatchPoller.class);

    private final BatchBackend batch;
    private final Ledger ledger;
    private final FinalOutcomes finals;
    private final JobEventSender publisher;
    private final MeterRegistry meters;
    private final Duration lateAfter;
    private final Clock clock;

    BatchPoller(
            BatchBackend batch,
            Ledger ledger,
            FinalOutcomes finals,
            JobEventSender publisher,
            MeterRegistry meters,
            Duration lateAfter,
            Clock clock) {
        this.batch = batch;
        this.ledger = ledger;
        this.finals = finals;
        this.publisher = publisher;
        this.meters = meters;
        this.lateAfter = lateAfter;
        this.clock = clock;
    }

    /** One poll; returns how many lifecycle events it published. */
    public int poll() {
        List<Ledger.InFlight> late = ledger.lateBatchJobs(lateAfter);
        int published = 0;
        for (int from = 0; from < late.size(); from += 100) {
            List<Ledger.InFlight> chunk = late.subList(from, Math.min(late.size(), from + 100));
            Map<String, Ledger.InFlight> byHandle = new HashMap<>();
            chunk.forEach(f -> byHandle.put(f.handle(), f));
            List<JobDetail> details;
            try {
                details = batch.describe(new ArrayList<>(byHandle.keySet()));
            } catch (BackendException e) {
                log.warn("could not poll {} late Batch jobs: {}", chunk.size(), e.getMessage());
                continue;
            }
            for (JobDetail detail : details) {
                Ledger.InFlight known = byHandle.get(detail.jobId());
                if (known != null) {
                    published += publish(known, detail);
                }
            }
        }
        return published;
    }

    private int publish(Ledger.InFlight known, JobDetail detail) {
        JobStatus status =
                JobDispatched.lifecycleStatusOfBatch(detail.statusAsString()).orElse(null);
        if (status == null || status.rank() <= known.lastStatus().rank()) {
            return 0;
        }
        JobDispatched job = known.job();
        // when Batch says it happened, as ingest does from the event; else now
        Long at = switch (status) {
            case SUCCEEDED, FAILED -> detail.stoppedAt();
            case RUNNING, STARTING -> detail.startedAt();
            default -> null;
        };
        Instant now = at == null ? clock.instant() : Instant.ofEpochMilli(at);
        JobStatusChanged event = JobStatusChanged.of(job.jobId(), job.model(), job.owner(), status, job.attempt(), now)
                .withBackend(Backend.BATCH, null)
                .withEstimatedCost(job.estimatedCostUsd())
                .withInput(job.input());
        if (status == JobStatus.SUCCEEDED) {
            Timings timings = timings(job, detail, now);
            event = event.withOutput(job.output())
                    .withTimings(timings)
                    .withMessage("AWS Batch job " + detail.jobId() + " succeeded (seen by polling); the answer is in "
                            + job.output().uri());
            publisher.statusChanged(event);
            if (finals.admitsResult(job.jobId(), job.attempt())) {
                publisher.result(new JobResult(
                        job.jobId(),
                        job.model(),
                        job.owner(),
                        job.attempt(),
                        Backend.BATCH,
                        job.input(),
                        job.output(),
                        List.of(),
                        timings,
                        now,
                        job.estimatedCostUsd()));
            } else {
                FinalOutcomes.State done = finals.finalState(job.jobId());
                meters.counter(
                                "infermesh.router.skipped",
                                "reason",
                                done.status().name().toLowerCase(Locale.ROOT),
                                "kind",
                                "result")
                        .increment();
                log.info(
                        "job {} attempt {} succeeded on AWS Batch but the job already {} in attempt {}, which is"
                                + " final (ADR 0016): no result record",
                        job.jobId(),
                        job.attempt(),
                        done.status(),
                        done.attempt());
            }
        } else if (status == JobStatus.FAILED) {
            BatchFailures.Failure failure = BatchFailures.of(detail, job.model());
            log.info(
                    "job {} attempt {}: AWS Batch job {} failed ({})",
                    job.jobId(),
                    job.attempt(),
                    detail.jobId(),
                    BatchFailures.rawReason(detail));
            publisher.statusChanged(event.withFailure(failure.reason(), failure.message()));
        } else {
            publisher.statusChanged(event);
        }
        ledger.observe(event);
        if (status.isTerminal()) {
            ledger.forget(job.jobId(), job.attempt());
        }
        return 1;
    }

    private static Timings timings(JobDispatched job, JobDetail detail, Instant now) {
        Long run = detail.startedAt() != null && detail.stoppedAt() != null
                ? Math.max(0, detail.stoppedAt() - detail.startedAt())
                : null;
        Long queue = job.requestedAt() != null && detail.startedAt() != null
                ? Math.max(0, detail.startedAt() - job.requestedAt().toEpochMilli())
                : null;
        Long total = job.requestedAt() == null
                ? null
                : Math.max(0, Duration.between(job.requestedAt(), now).toMillis());
        return new Timings(queue, null, null, run, null, total);
    }
}
