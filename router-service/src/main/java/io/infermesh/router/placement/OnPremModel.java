package io.infermesh.router.placement;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.ModelCard;

/**
 * The on-prem pool's placement facts. Expected completion: the run time, plus the wait for a slot when none is free
 * (the expected work ahead, queued and running, divided by the slots), plus a cold start when the pool is cold (all
 * from {@link Capacity}). Cost: run time x the on-prem price per slot-second x CPUs. No GPU.
 */
public final class OnPremModel implements BackendModel {

    private final PriceTable prices;
    private final Estimates estimates;

    public OnPremModel(PriceTable prices, Estimates estimates) {
        this.prices = prices;
        this.estimates = estimates;
    }

    @Override
    public String id() {
        return "onprem";
    }

    @Override
    public String name() {
        return "the on-prem pool";
    }

    @Override
    public PlacementPolicy.Estimate estimate(ModelCard model, Conditions now) {
        ModelCard.Resources r = model.resources();
        int gpus = r == null ? 0 : r.gpusOrZero();
        int cpus = r == null || r.cpus() == null ? 1 : Math.max(1, r.cpus());
        Capacity capacity = now.capacity();
        double run = now.baselineRunSeconds();
        int slots = Math.max(1, capacity.onpremSlots(model.name()));
        int backlog = Math.max(0, capacity.onpremBacklog(model.name()));
        double work = Math.max(0, capacity.onpremWorkAheadSeconds(model.name()));
        double wait = backlog < slots ? 0 : work / slots;
        boolean warm = capacity.warm(model.name(), Backend.ONPREM);
        double cold = warm ? 0 : capacity.onpremColdStartSeconds(model.name(), estimates.onpremColdStartSeconds());
        double seconds = wait + run + cold;
        double cost = run * prices.onpremUsdPerSlotSecond() * cpus;
        String note = "backlog " + backlog + " (" + PlacementPolicy.secs(work) + " of work) on " + slots
                + " slots, run " + PlacementPolicy.secs(run)
                + (warm ? ", warm" : ", cold start " + PlacementPolicy.secs(cold));
        PlacementPolicy.Estimate e = PlacementPolicy.Estimate.of(this, cost, seconds, run, note);
        if (gpus > 0) {
            return e.ineligible("the on-prem pool has no GPU and the model needs " + gpus);
        }
        return now.unavailable().map(e::ineligible).orElse(e);
    }
}
