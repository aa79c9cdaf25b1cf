package io.infermesh.worker.jobs;

import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import java.util.Optional;

/**
 * The events sink of one attempt outside the pool (the Lambda handler, the Batch container, {@code predict}): it keeps
 * how the attempt ended, which the backend then reports its own way — a returned {@link JobResult} or a thrown
 * {@code "REASON: sentence"} (Lambda), an exit code and a printed document (Batch, {@code predict}). STARTING and
 * RUNNING are not reported there: the backend's own status says it.
 */
public final class AttemptOutcome implements JobRunner.Events {

    private JobStatusChanged ended;
    private JobResult result;

    @Override
    public void statusChanged(JobStatusChanged event) {
        if (event.status().isTerminal()) {
            ended = event;
        }
    }

    @Override
    public void result(JobResult result) {
        this.result = result;
    }

    @Override
    public void skipped(JobDispatched job, String reason) {
        throw new IllegalStateException("job " + job.jobId() + " was skipped (" + reason + "), which only a pool does");
    }

    /** The result, when the attempt SUCCEEDED. */
    public Optional<JobResult> result() {
        return ended != null && ended.status() == JobStatus.SUCCEEDED ? Optional.ofNullable(result) : Optional.empty();
    }

    /** Why the attempt FAILED ({@code INTERNAL_ERROR} if it did not end at all, which the runner never lets happen). */
    public FailureReason reason() {
        return ended == null || ended.reason() == null ? FailureReason.INTERNAL_ERROR : ended.reason();
    }

    /** The FAILED event's sentence. */
    public String message() {
        return ended == null || ended.message() == null
                ? "the job did not end (the log has the details)"
                : ended.message();
    }

    /** The attempt's SUCCEEDED event: its timings, cold start and predictions. */
    public Optional<JobStatusChanged> succeeded() {
        return ended != null && ended.status() == JobStatus.SUCCEEDED ? Optional.of(ended) : Optional.empty();
    }
}
