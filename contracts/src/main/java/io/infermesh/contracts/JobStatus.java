package io.infermesh.contracts;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of a job, named as AWS Batch names it: {@code PENDING → RUNNABLE → STARTING → RUNNING → SUCCEEDED | FAILED}.
 *
 * <p>Within one attempt a job only moves forward, one step at a time, and may fail from any non-terminal status.
 * A re-dispatch starts a new attempt (a higher {@code attempt} number) at {@link #RUNNABLE}. Consumers order events by
 * {@code (attempt, rank)}, so a late or duplicate event never moves a job backwards.
 */
public enum JobStatus {
    /** The job exists; nobody has placed it yet. */
    PENDING(0),
    /** Placed on a backend and waiting for capacity there. */
    RUNNABLE(1),
    /** A worker took it: downloading the input, loading the model. */
    STARTING(2),
    /** The model is running on the input. */
    RUNNING(3),
    /** The result is written. Terminal. */
    SUCCEEDED(4),
    /** The job will make no more progress; the event says why. Terminal for its attempt. */
    FAILED(4);

    private final int rank;

    JobStatus(int rank) {
        this.rank = rank;
    }

    /** Position in the lifecycle; the two terminal statuses share the highest rank. */
    public int rank() {
        return rank;
    }

    /** True for {@link #SUCCEEDED} and {@link #FAILED}. */
    public boolean isTerminal() {
        return rank == 4;
    }

    /** The statuses this one may move to within the same attempt. */
    public Set<JobStatus> next() {
        return switch (this) {
            case PENDING -> EnumSet.of(RUNNABLE, FAILED);
            case RUNNABLE -> EnumSet.of(STARTING, FAILED);
            case STARTING -> EnumSet.of(RUNNING, FAILED);
            case RUNNING -> EnumSet.of(SUCCEEDED, FAILED);
            case SUCCEEDED, FAILED -> EnumSet.noneOf(JobStatus.class);
        };
    }

    /**
     * Whether a job in this status at {@code attempt} may move to {@code to} at {@code toAttempt}.
     * A new attempt (exactly one higher) may only begin at {@link #RUNNABLE} and not after {@link #SUCCEEDED}.
     */
    public boolean canMoveTo(int attempt, JobStatus to, int toAttempt) {
        if (toAttempt == attempt) {
            return next().contains(to);
        }
        return toAttempt == attempt + 1 && to == RUNNABLE && this != SUCCEEDED;
    }

    /**
     * Checks a transition, throwing a {@link IllegalTransitionException} that names both ends when it is not legal.
     */
    public void checkMoveTo(int attempt, JobStatus to, int toAttempt) {
        if (!canMoveTo(attempt, to, toAttempt)) {
            throw new IllegalTransitionException(this, attempt, to, toAttempt);
        }
    }

    /** An illegal lifecycle move, e.g. {@code SUCCEEDED → RUNNING} in the same attempt. */
    public static final class IllegalTransitionException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        IllegalTransitionException(JobStatus from, int fromAttempt, JobStatus to, int toAttempt) {
            super("illegal job status transition " + from + "(attempt " + fromAttempt + ") -> " + to + "(attempt "
                    + toAttempt + ")");
        }
    }
}
