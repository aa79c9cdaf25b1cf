package io.infermesh.router.placement;

/**
 * The latency assumptions behind expected completion times, for what the router cannot observe itself. Defaults
 * come from the seed paper where it measured them; every entry is configurable under
 * {@code infermesh.router.estimates}.
 *
 * @param onpremColdStartSeconds waking a pool at zero and loading its model
 * @param onpremIdleSeconds a pool that finished a job this recently is still warm
 * @param onpremSlots jobs a model's on-prem pool runs at once (the paper's two one-CPU nodes: 2)
 * @param lambdaColdStartSeconds a new Lambda execution environment: image pull and model load
 * @param lambdaWarmSeconds a function invoked this recently is assumed warm
 * @param batchColdStartSeconds queue to running when the compute environment has no instance (paper Table 1: the
 *     first job waited 253 s)
 * @param batchWarmStartSeconds queue to running with instances up (Table 1: 9 s to 30 s between jobs)
 * @param batchWarmSeconds a compute environment used this recently is assumed to still have instances
 * @param defaultRunSeconds the run time assumed for a model with no observation and no {@code expectedSeconds}
 */
public record Estimates(
        double onpremColdStartSeconds,
        double onpremIdleSeconds,
        int onpremSlots,
        double lambdaColdStartSeconds,
        double lambdaWarmSeconds,
        double batchColdStartSeconds,
        double batchWarmStartSeconds,
        double batchWarmSeconds,
        double defaultRunSeconds) {

    public static Estimates defaults() {
        return new Estimates(1, 60, 2, 3, 600, 250, 30, 600, 1);
    }
}
