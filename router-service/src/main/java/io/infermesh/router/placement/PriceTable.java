package io.infermesh.router.placement;

/**
 * What each backend costs, in US dollars. The defaults are the seed paper's Table 3 (Naranjo et al., "a serverless
 * gateway for inference", AWS prices of its time) except where said; every entry is configurable under
 * {@code infermesh.router.prices}.
 *
 * @param lambdaUsdPerMsAt2048Mb Lambda compute per billed millisecond for a 2,048 MB function (Table 3:
 *     $0.0000000333/ms); scaled linearly with the function's memory
 * @param lambdaUsdPerRequest Lambda's per-request charge (AWS list price $0.20 per million; not in Table 3)
 * @param batchUsdPerInstanceSecond a one-vCPU, 4 GB Batch instance per second (Table 3: m3.medium,
 *     $0.000018611/s)
 * @param batchGpuUsdPerInstanceSecond a one-GPU Batch instance per second (not in Table 3: p3.2xlarge on-demand,
 *     $3.06/h)
 * @param batchMinimumBilledSeconds EC2 bills at least this much per instance start (60 s)
 * @param onpremUsdPerSlotSecond what one more second of an on-prem slot adds to the bill. Default 0: the pool's
 *     nodes are paid for whether they run jobs or not. Table 3's total cost of ownership of OSCAR's two nodes,
 *     $0.048 per 386 s, is $0.0000622 per slot-second; set that to charge jobs for the owned capacity
 */
public record PriceTable(
        double lambdaUsdPerMsAt2048Mb,
        double lambdaUsdPerRequest,
        double batchUsdPerInstanceSecond,
        double batchGpuUsdPerInstanceSecond,
        double batchMinimumBilledSeconds,
        double onpremUsdPerSlotSecond) {

    /** Table 3's total cost of ownership of the on-prem pool per slot-second: $0.048 / (386 s x 2 nodes). */
    public static final double PAPER_ONPREM_TCO_USD_PER_SLOT_SECOND = 0.048 / (386.0 * 2);

    public static PriceTable defaults() {
        return new PriceTable(0.0000000333, 0.0000002, 0.000018611, 3.06 / 3600, 60, 0);
    }

    /** The same table with another on-prem price. */
    public PriceTable withOnpremUsdPerSlotSecond(double price) {
        return new PriceTable(
                lambdaUsdPerMsAt2048Mb,
                lambdaUsdPerRequest,
                batchUsdPerInstanceSecond,
                batchGpuUsdPerInstanceSecond,
                batchMinimumBilledSeconds,
                price);
    }
}
