package io.infermesh.ingest.outcomes;

import io.infermesh.contracts.JobStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where each job stands as status-service's projection shows it, followed in the lifecycle's partition order with
 * the projection's ordering rule (ADR 0016; status-service {@code LifecycleProjection.supersedes}, router-service
 * {@code FinalOutcomes}): a later attempt or a later status of the same attempt moves a job, the first terminal
 * status of an attempt stays, nothing moves a SUCCEEDED or CANCELLED job, and CANCELLED moves it only if that attempt
 * had not reached RUNNING. Bounded: the {@code capacity} jobs first seen most recently, older ones forgotten first.
 * Plain logic: no Kafka. Thread-safe.
 */
final class JobStandings {

    private final Map<String, Standing> jobs;

    JobStandings(int capacity) {
        this.jobs = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Standing> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Follows one lifecycle event of a job, in its partition's order; returns where the job stands after it. */
    synchronized Standing observe(String jobId, int attempt, JobStatus status) {
        Standing current = jobs.get(jobId);
        if (current == null || supersedes(attempt, status, current)) {
            current = new Standing(attempt, status);
            jobs.put(jobId, current);
        }
        return current;
    }

    /** The projection's ordering rule, as status-service's {@code LifecycleProjection} states it. */
    static boolean supersedes(int attempt, JobStatus status, Standing current) {
        if (current.status() == JobStatus.SUCCEEDED || current.status() == JobStatus.CANCELLED) {
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
