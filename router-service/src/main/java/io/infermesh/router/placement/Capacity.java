package io.infermesh.router.placement;

import io.infermesh.contracts.Backend;

/** What the policy needs to know about load and warmth. The router's own bookkeeping implements it. */
public interface Capacity {

    /** Jobs on the on-prem pool that serves {@code model} that have not finished: running and queued. */
    int onpremBacklog(String model);

    /**
     * The expected work ahead of a new job on that pool, in seconds: the expected run of every queued job plus the
     * expected remainder of every running one, whatever their model (the pool's slots are shared).
     */
    double onpremWorkAheadSeconds(String model);

    /** Jobs the pool that serves {@code model} runs at once. */
    int onpremSlots(String model);

    /**
     * Jobs of {@code model} requested within the Lambda warm window, this one included: a cold start's cost is
     * shared by the jobs that will find the function warm after it.
     */
    int recentArrivals(String model);

    /**
     * How long waking {@code model}'s on-prem pool from zero and loading the model takes; {@code configured} (the
     * {@link Estimates#onpremColdStartSeconds()} assumption) unless the pools measured it.
     */
    default double onpremColdStartSeconds(String model, double configured) {
        return configured;
    }

    /** Whether a job of {@code model} ran on {@code backend} recently enough that it is likely still warm. */
    boolean warm(String model, Backend backend);

    /**
     * A fixed situation: this backlog and work ahead on this many slots, every backend warm or cold, one arrival
     * (no cold start shared).
     */
    static Capacity fixed(int backlog, double workAheadSeconds, int slots, boolean warm) {
        return new Capacity() {
            @Override
            public int onpremBacklog(String model) {
                return backlog;
            }

            @Override
            public double onpremWorkAheadSeconds(String model) {
                return workAheadSeconds;
            }

            @Override
            public int recentArrivals(String model) {
                return 1;
            }

            @Override
            public int onpremSlots(String model) {
                return slots;
            }

            @Override
            public boolean warm(String model, Backend backend) {
                return warm;
            }
        };
    }
}
