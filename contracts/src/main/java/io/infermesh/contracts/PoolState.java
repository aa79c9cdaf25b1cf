package io.infermesh.contracts;

/** Where one worker instance's pool of one model stands, in a {@link PoolStatus}. */
public enum PoolState {
    /** No worker, the model not in memory: the next job pays a cold start. */
    ZERO,
    /** Backlog seen, the first worker starting (the model loading). */
    WAKING,
    /** Workers consuming. */
    ACTIVE
}
