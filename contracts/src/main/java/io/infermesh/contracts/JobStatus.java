package io.infermesh.contracts;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of a job, named as AWS Batch names it: {@code PENDING → RUNNABLE → STARTING → RUNNING → SUCCEEDED | FAILED},
 * plus {@link #CANCELLED} for a job its owner withdrew before it ran (ADR 0016).
 *
 * <p>Within one attempt a job only moves forward, one step at a time, and may fail from any non-terminal status.
 * A re-dispatch starts a new attempt (a higher {@code attempt} number) at {@link #RUNNABLE}. Consumers order events by
 * {@code (attempt, rank)}, so a late or duplicate event never moves a job backwards. A retry of a {@link #FAILED} job is
 * a new attempt of the same job; {@link #SUCCEEDED} and {@link #CANCELLED} jobs get no further attempts.
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
    /** The job will make no more progress; the event says why. Terminal for its attempt; its owner may retry it. */
    FAILED(4),
    /** Its owner (or an operator) cancelled it before it ran. Terminal, and final: no later attempt. */
    CANCELLED(4);

    private final int rank;

    JobStatus(int rank) {
        this.rank = rank;
    }

    /** Position in the lifecycle; the two terminal statuses share the highest rank. */
    public int rank() {
        return rank;
    }

    /** True for {@link #SUCCEEDED}, {@link #FAILED} and {@link #CANCELLED}. */
    public boolean isTerminal() {
        return rank == 4;
    }

    /** The statuses this one may move to within the same attempt. */
    public Set<JobStatus> next() {
        return switch (this) {
            case PENDING -> EnumSet.of(RUNNABLE, FAILED, CANCELLED);
            case RUNNABLE -> EnumSet.of(STARTING, FAILED, CANCELLED);
            case STARTING -> EnumSet.of(RUNNING, FAILED, CANCELLED);
            case RUNNING -> EnumSet.of(SUCCEEDED, FAILED);
            case SUCCEEDED, FAILED, CANCELLED -> EnumSet.noneOf(JobStatus.class);
        };
    }

    /**
     * Whether a job in this status at {@code attempt} may move to {@code to} at {@code toAttempt}.
     * A new attempt (exactly one higher) may only begin at {@link #RUNNABLE} (a re-dispatch) or {@link #PENDING} (a
     * retry its owner asked for), and not after {@link #SUCCEEDED} or {@link #CANCELLED}.
     */
    public boolean canMoveTo(int attempt, JobStatus to, int toAttempt) {
        if (toAttempt == attempt) {
            return next().contains(to);
        }
        return toAttempt == attempt + 1 && (to == RUNNABLE || to == PENDING) && this != SUCCEEDED && this != CANCELLED;
    }

    /** Whether its owner may still cancel a job in this status: it has not started running. */
    public boolean isCancellable() {
        return next().contains(CANCELLED);
    }

    /** Whether its owner may ask for another attempt of a job in this status. */
    public boolean isRetryable() {
        return this == FAILED;
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
