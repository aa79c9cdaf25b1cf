package io.infermesh.router.placement;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The job attempts this router placed most recently, to drop duplicate requests: bucket notifications are delivered at
 * least once, and one object may be announced by several intake paths, all with the same deterministic job id. A
 * retry its owner asked for is the same job id at the next attempt, so the key is (job id, attempt): a retry is
 * placed, a duplicate of the same attempt is dropped (ADR 0009). Requests are keyed by job id, so every duplicate
 * reaches the router instance that saw the first one.
 *
 * <p>Bounded (least recently placed forgotten first) and in memory: a duplicate that arrives after this router
 * restarted, or after {@code capacity} other jobs, is placed again; the worker's outputs are deterministic and keyed
 * by job id, so that costs compute, not correctness.
 */
public final class RecentJobs {

    private final Map<String, Boolean> placed;

    public RecentJobs(int capacity) {
        this.placed = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Records the job; true the first time it is seen, false for a duplicate. */
    public synchronized boolean firstTime(String jobId) {
        return placed.put(jobId, Boolean.TRUE) == null;
    }

    /** Records one attempt of a job; true the first time it is seen, false for a duplicate. */
    public boolean firstTime(String jobId, int attempt) {
        return firstTime(key(jobId, attempt));
    }

    /** Forgets one attempt of a job, e.g. when placing it failed and the request will be redelivered. */
    public void forget(String jobId, int attempt) {
        forget(key(jobId, attempt));
    }

    private static String key(String jobId, int attempt) {
        return jobId + "/" + attempt;
    }

    /** Forgets the job, e.g. when placing it failed and the request will be retried. */
    public synchronized void forget(String jobId) {
        placed.remove(jobId);
    }
}
