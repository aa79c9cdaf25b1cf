package io.infermesh.status.jobs;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.events.JobEventSender;
import io.infermesh.security.Caller;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import tools.jackson.databind.json.JsonMapper;

/**
 * What an owner (or an operator) may do to a job besides reading it (ADR 0016). Both actions are events, not writes:
 * the projection applies them in the job's partition order like every other event, so they cannot race the
 * pipeline's own events into a state no event sequence explains, and asking twice publishes the same ids twice.
 * <ul>
 *   <li><b>cancel</b> publishes {@code CANCELLED} for the job's current attempt, on the lifecycle and then on
 *       {@code infermesh.jobs.cancellations} for the workers, which then skip the job's dispatch if they have not
 *       started it. It takes effect only if the job has not started {@code RUNNING} when the projection reaches it;
 *       after that the job finishes as it would have.</li>
 *   <li><b>retry</b> of a {@code FAILED} job publishes {@code PENDING} of the next attempt, then a
 *       {@link JobRequested} of that attempt on {@code infermesh.jobs.requested}, which the router places like a new
 *       job (de-duplicated by job id and attempt).</li>
 * </ul>
 */
@Component
class JobActions {

    /** A job gets at most this many attempts (its owner's retries and the router's re-dispatches together). */
    static final int MAX_ATTEMPTS = 10;

    private static final Logger log = LoggerFactory.getLogger(JobActions.class);

    private final JobEventSender sender;
    private final Clock clock;

    @Autowired
    JobActions(StreamBridge bridge, JsonMapper json) {
        this(new JobEventSender(bridge, json, "status-service"), Clock.systemUTC());
    }

    JobActions(JobEventSender sender, Clock clock) {
        this.sender = sender;
        this.clock = clock;
    }

    /**
     * The answer to an accepted action.
     *
     * @param jobId the job
     * @param attempt the attempt the action applies to (the next one for a retry)
     * @param status the status the action asked for
     * @param message what was asked, by whom
     */
    record Accepted(String jobId, int attempt, JobStatus status, String message) {}

    Accepted cancel(JobView job, Caller caller) {
        if (job.status() == JobStatus.CANCELLED) {
            // the first cancel may have reached the lifecycle but not the workers (503): tell them again, same id
            announce(JobStatusChanged.of(
                            job.jobId(), job.model(), job.owner(), JobStatus.CANCELLED, job.attempt(), cancelledAt(job))
                    .withInput(job.input())
                    .withMessage(job.message()));
            return new Accepted(job.jobId(), job.attempt(), JobStatus.CANCELLED, job.message());
        }
        if (!job.status().isCancellable()) {
            throw conflict(
                    "Job cannot be cancelled",
                    job,
                    switch (job.status()) {
                        case RUNNING ->
                            "it is already RUNNING and will finish; only a job that has not started running can be "
                                    + "cancelled";
                        case SUCCEEDED -> "it has already SUCCEEDED";
                        default ->
                            "it has already " + job.status() + (job.reason() == null ? "" : " (" + job.reason() + ")");
                    });
        }
        String message = "Cancelled by " + who(job, caller);
        JobStatusChanged cancelled = JobStatusChanged.of(
                        job.jobId(), job.model(), job.owner(), JobStatus.CANCELLED, job.attempt(), clock.instant())
                .withInput(job.input())
                .withMessage(message);
        publish(cancelled);
        announce(cancelled);
        log.info("job {} attempt {}: {}", job.jobId(), job.attempt(), message);
        return new Accepted(job.jobId(), job.attempt(), JobStatus.CANCELLED, message);
    }

    Accepted retry(JobView job, Caller caller, Backend backend) {
        if (job.status() != JobStatus.FAILED) {
            throw conflict(
                    "Job cannot be retried",
                    job,
                    switch (job.status()) {
                        case SUCCEEDED -> "it has SUCCEEDED and its result stands";
                        case CANCELLED -> "it was CANCELLED; upload the file again for a new job";
                        default -> "it is still " + job.status() + "; a job can be retried once it has FAILED";
                    });
        }
        if (job.reason() == FailureReason.INVALID_KEY
                || job.input() == null
                || job.model() == null
                || job.owner() == null) {
            throw conflict(
                    "Job cannot be retried",
                    job,
                    "its object key names no model and owner, so another attempt "
                            + "would fail the same way; upload it again under inbox/<model>/<owner>/");
        }
        if (job.attempt() >= MAX_ATTEMPTS) {
            throw conflict(
                    "Job cannot be retried",
                    job,
                    "it has had " + job.attempt() + " attempts, the most a job "
                            + "gets; upload the file again for a new job");
        }
        int next = job.attempt() + 1;
        Instant now = clock.instant();
        String message = "Retried by " + who(job, caller)
                + (backend == null ? "" : ", on " + backend.name().toLowerCase(Locale.ROOT));
        publish(JobStatusChanged.of(job.jobId(), job.model(), job.owner(), JobStatus.PENDING, next, now)
                .withInput(job.input())
                .withMessage(message));
        try {
            sender.requested(
                    new JobRequested(job.jobId(), job.model(), job.owner(), job.input(), now, "retry", backend, next));
        } catch (RuntimeException e) {
            // PENDING of the attempt is published: asking again publishes both with the same ids; if nobody does, the
            // reaper settles the attempt as STUCK
            throw unavailable(e);
        }
        log.info("job {} attempt {}: {}", job.jobId(), next, message);
        return new Accepted(job.jobId(), next, JobStatus.PENDING, message);
    }

    private void publish(JobStatusChanged event) {
        try {
            sender.statusChanged(event);
        } catch (RuntimeException e) {
            throw unavailable(e);
        }
    }

    /**
     * The cancel on {@code infermesh.jobs.cancellations}, which every worker reads so that it skips the job's dispatch
     * if it has not started it. Refused: 503, and asking again publishes both with the same ids.
     */
    private void announce(JobStatusChanged cancelled) {
        try {
            sender.cancelled(cancelled);
        } catch (RuntimeException e) {
            throw unavailable(e);
        }
    }

    private Instant cancelledAt(JobView job) {
        Instant at = job.timestamps() == null ? null : job.timestamps().get(JobStatus.CANCELLED.name());
        return at != null ? at : clock.instant();
    }

    private static String who(JobView job, Caller caller) {
        return caller.owner().equals(job.owner()) ? caller.owner() : "operator " + caller.owner();
    }

    private static ErrorResponseException conflict(String title, JobView job, String why) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.CONFLICT,
                "Job '" + job.jobId() + "' cannot be " + (title.contains("cancelled") ? "cancelled" : "retried") + ": "
                        + why);
        problem.setTitle(title);
        problem.setProperty("jobId", job.jobId());
        problem.setProperty("status", job.status());
        problem.setProperty("attempt", job.attempt());
        return new ErrorResponseException(HttpStatus.CONFLICT, problem, null);
    }

    private static ErrorResponseException unavailable(RuntimeException cause) {
        log.warn("could not publish a job action: {}", cause.toString());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.SERVICE_UNAVAILABLE,
                "The event log cannot take the request right now; nothing was changed that asking again would not "
                        + "complete. Try again shortly.");
        problem.setTitle("Try again shortly");
        return new ErrorResponseException(HttpStatus.SERVICE_UNAVAILABLE, problem, cause);
    }
}
