package io.infermesh.worker.cancellations;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The (job, attempt) pairs this worker has heard were cancelled (ADR 0016), at most {@code capacity} of them: when
 * full, the oldest heard is forgotten first. A job thread asks once per dispatch, so {@link #contains} is one hash
 * lookup without a lock; only the reader of the cancellations topic adds.
 */
public final class CancelledJobs {

    private record Attempt(String jobId, int attempt) {}

    private final int capacity;
    private final Map<Attempt, Boolean> known = new ConcurrentHashMap<>();
    /** The order they were heard in, to forget the oldest. Guarded by {@code this}. */
    private final ArrayDeque<Attempt> heard = new ArrayDeque<>();

    /**
     * @param capacity the most pairs kept
     */
    public CancelledJobs(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    /** Whether {@code attempt} of {@code jobId} was cancelled. */
    public boolean contains(String jobId, int attempt) {
        return jobId != null && known.containsKey(new Attempt(jobId, attempt));
    }

    /**
     * Remembers a cancellation; the same one twice changes nothing.
     *
     * @return whether it was new
     */
    public synchronized boolean add(String jobId, int attempt) {
        Attempt cancelled = new Attempt(jobId, attempt);
        if (known.putIfAbsent(cancelled, Boolean.TRUE) != null) {
            return false;
        }
        heard.addLast(cancelled);
        while (heard.size() > capacity) {
            known.remove(heard.pollFirst());
        }
        return true;
    }

    /** How many are kept now. */
    public int size() {
        return known.size();
    }
}
