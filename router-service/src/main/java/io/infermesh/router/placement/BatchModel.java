package io.infermesh.router.placement;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.ModelCard;

/**
 * AWS Batch's placement facts. Expected completion: the start-up delay (cold or warm compute environment) plus the
 * run time. Cost: the instance seconds (at least the minimum billed) x the CPU or GPU instance price x instances.
 * Limits: a job queue and job definition in the card.
 */
public final class BatchModel implements BackendModel {

    private final PriceTable prices;
    private final Estimates estimates;

    public BatchModel(PriceTable prices, Estimates estimates) {
        this.prices = prices;
        this.estimates = estimates;
    }

    @Override
    public String id() {
        return "batch";
    }

    @Override
    public String name() {
        return "AWS Batch";
    }

    @Override
    public PlacementPolicy.Estimate estimate(ModelCard model, Conditions now) {
        ModelCard.Resources r = model.resources();
        int gpus = r == null ? 0 : r.gpusOrZero();
        int cpus = r == null || r.cpus() == null ? 1 : Math.max(1, r.cpus());
        double run = now.runTimes().observed(model.name(), Backend.BATCH).orElse(now.baselineRunSeconds());
        boolean warm = now.capacity().warm(model.name(), Backend.BATCH);
        double start = warm ? estimates.batchWarmStartSeconds() : estimates.batchColdStartSeconds();
        double perSecond =
                gpus > 0 ? prices.batchGpuUsdPerInstanceSecond() * gpus : prices.batchUsdPerInstanceSecond() * cpus;
        double cost = Math.max(prices.batchMinimumBilledSeconds(), run) * perSecond;
        String note = (gpus > 0 ? gpus + " GPU" : cpus + " vCPU") + ", start " + (warm ? "warm " : "cold ")
                + PlacementPolicy.secs(start) + ", run " + PlacementPolicy.secs(run);
        PlacementPolicy.Estimate e = PlacementPolicy.Estimate.of(this, cost, start + run, run, note);
        if (model.placement() == null
                || model.placement().batch() == null
                || PlacementPolicy.blank(model.placement().batch().jobQueue())
                || PlacementPolicy.blank(model.placement().batch().jobDefinition())) {
            return e.ineligible("no Batch job queue and job definition are configured in the model card");
        }
        return now.unavailable().map(e::ineligible).orElse(e);
    }
}
