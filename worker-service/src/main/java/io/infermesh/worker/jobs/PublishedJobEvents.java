package io.infermesh.worker.jobs;

import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.Timings;
import io.infermesh.events.JobEventSender;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's events on {@code infermesh.jobs.lifecycle} and {@code infermesh.jobs.results}, counted as they go:
 * {@code infermesh.worker.jobs{model,outcome,reason}}, the inference timer, the cold start's phases, the batch size
 * and the skipped dispatches.
 */
final class PublishedJobEvents implements JobRunner.Events {

    private static final Logger log = LoggerFactory.getLogger(PublishedJobEvents.class);

    private final JobEventSender sender;
    private final MeterRegistry meters;

    PublishedJobEvents(JobEventSender sender, MeterRegistry meters) {
        this.sender = sender;
        this.meters = meters;
    }

    @Override
    public void statusChanged(JobStatusChanged event) {
        sender.statusChanged(event);
        if (event.status().isTerminal()) {
            String outcome = event.status().name().toLowerCase(Locale.ROOT);
            meters.counter(
                            "infermesh.worker.jobs",
                            "model",
                            event.model(),
                            "outcome",
                            outcome,
                            "reason",
                            event.reason() == null ? "none" : event.reason().name())
                    .increment();
            Timings t = event.timings();
            if (t != null && t.inferenceMs() != null) {
                Timer.builder("infermesh.worker.inference")
                        .tag("model", event.model())
                        .tag("cold", String.valueOf(event.coldStart()))
                        .register(meters)
                        .record(Duration.ofMillis(t.inferenceMs()));
            }
            if (t != null && Boolean.TRUE.equals(event.coldStart())) {
                coldStartPhase(event.model(), "wake", t.wakeMs());
                coldStartPhase(event.model(), "model-load", t.modelLoadMs());
                coldStartPhase(event.model(), "warm-up", t.warmupMs());
            }
            if (t != null && t.batchSize() != null) {
                meters.summary("infermesh.worker.batch.size", "model", event.model())
                        .record(t.batchSize());
            }
        }
    }

    /** One sample per cold start (the first job of the batch that woke the pool reports it). */
    private void coldStartPhase(String model, String phase, Long ms) {
        if (ms != null) {
            Timer.builder("infermesh.worker.cold.start")
                    .tag("model", model)
                    .tag("phase", phase)
                    .register(meters)
                    .record(Duration.ofMillis(ms));
        }
    }

    @Override
    public void result(JobResult result) {
        sender.result(result);
    }

    @Override
    public void skipped(JobDispatched job, String reason) {
        meters.counter("infermesh.worker.skipped", "model", job.model(), "reason", reason)
                .increment();
        log.info(
                "job {} attempt {} of model {}: not started, its attempt was {}",
                job.jobId(),
                job.attempt(),
                job.model(),
                reason);
    }
}
