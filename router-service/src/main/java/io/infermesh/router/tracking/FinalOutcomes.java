package io.infermesh.router.tracking;

import io.infermesh.contracts.JobStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which jobs have reached a final outcome, SUCCEEDED or CANCELLED (ADR 0016), so that the router starts no further
 * attempt of them and publishes no result of another attempt: a late Lambda failure of attempt 2 after attempt 1
 * succeeded is not re-dispatched to Batch, a duplicate retry request of a cancelled job does not run.
 *
 * <p>The router follows each job in the lifecycle's partition order, as status-service's projection does, with the
 * projection's own ordering rule (status-service {@code LifecycleProjection.supersedes}): a later attempt or a later
 * status of the same attempt moves a job, the first terminal status of an attempt stays, nothing moves a SUCCEEDED or
 * CANCELLED job, and a CANCELLED moves it only if that attempt had not reached RUNNING. So the router calls a job
 * final exactly when the status API shows it final: a SUCCEEDED of attempt 1 that arrives after attempt 1 FAILED, or
 * after attempt 2 began, does not make the job final there either, and the retry status-service accepted must run.
 *
 * <p>Bounded (the {@code capacity} jobs first seen most recently; older ones are forgotten first) and in memory: a late
 * event of a job forgotten, or seen before this router started, is acted on as before; status-service's projection
 * still keeps the job's outcome. One map operation per lifecycle event; thread-safe.
 */
public final class FinalOutcomes {

    /** Where a job stands as the projection sees it. */
    public record State(int attempt, JobStatus status) {

        /** Whether nothing moves the job any more. */
        public boolean isFinal() {
            return status == JobStatus.SUCCEEDED || status == JobStatus.CANCELLED;
        }
    }

    private final Map<String, State> jobs;

    public FinalOutcomes(int capacity) {
        this.jobs = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, State> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Follows one lifecycle event of a job, in its partition's order. */
    public synchronized void observe(String jobId, int attempt, JobStatus status) {
        State current = jobs.get(jobId);
        if (current == null || supersedes(attempt, status, current)) {
            jobs.put(jobId, new State(attempt, status));
        }
    }

    /** The job's final state (SUCCEEDED or CANCELLED, with the attempt that reached it), or null when it has none. */
    public synchronized State finalState(String jobId) {
        State current = jobs.get(jobId);
        return current != null && current.isFinal() ? current : null;
    }

    /**
     * Whether the result of {@code attempt} may be published: the job has not ended SUCCEEDED or CANCELLED, or it
     * ended SUCCEEDED in this very attempt (the result of the success the status API shows).
     */
    public boolean admitsResult(String jobId, int attempt) {
        State done = finalState(jobId);
        return done == null || (done.status() == JobStatus.SUCCEEDED && done.attempt() == attempt);
    }

    /** The projection's ordering rule (ADR 0016), stated as status-service's {@code LifecycleProjection} does. */
    static boolean supersedes(int attempt, JobStatus status, State current) {
        if (current.isFinal()) {
            return false;
        }
        if (status == JobStatus.CANCELLED
                && attempt == current.attempt()
                && current.status().rank() >= JobStatus.RUNNING.rank()) {
            return false;
        }
        return attempt > current.attempt()
                || (attempt == current.attempt()
                        && status.rank() > current.status().rank());
    }
}
