package io.infermesh.router.placement;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.ModelCard;

/**
 * AWS Lambda's placement facts. Expected completion: the run time stretched by the function's CPU share
 * ({@code memory / 1,769 MB}, at most one vCPU for a one-thread model), plus a cold start unless recently invoked.
 * Cost: billed milliseconds x the per-ms price scaled by memory, plus the request charge; a cold start's billed time
 * is shared among the model's recent arrivals (they find the function warm after it). Limits: a function in the card,
 * no GPU, at most 10,240 MB, and a run within the function's time-out (an estimate, which a fixed mode overrules).
 */
public final class LambdaModel implements BackendModel {

    private final PriceTable prices;
    private final Estimates estimates;

    public LambdaModel(PriceTable prices, Estimates estimates) {
        this.prices = prices;
        this.estimates = estimates;
    }

    @Override
    public String id() {
        return "lambda";
    }

    @Override
    public String name() {
        return "AWS Lambda";
    }

    @Override
    public PlacementPolicy.Estimate estimate(ModelCard model, Conditions now) {
        ModelCard.Resources r = model.resources();
        int gpus = r == null ? 0 : r.gpusOrZero();
        int memoryMb = r == null || r.memoryMb() == null ? 1_024 : r.memoryMb();
        Capacity capacity = now.capacity();
        double share = Math.min(1.0, (double) memoryMb / PlacementPolicy.LAMBDA_MB_PER_VCPU);
        double run = now.runTimes().observed(model.name(), Backend.LAMBDA).orElse(now.baselineRunSeconds() / share);
        boolean warm = capacity.warm(model.name(), Backend.LAMBDA);
        double cold = warm ? 0 : estimates.lambdaColdStartSeconds();
        double perMs = prices.lambdaUsdPerMsAt2048Mb() * memoryMb / 2048.0;
        int sharing = Math.max(1, capacity.recentArrivals(model.name()));
        double cost =
                Math.ceil(run * 1000) * perMs + Math.ceil(cold * 1000) * perMs / sharing + prices.lambdaUsdPerRequest();
        double limit = PlacementPolicy.lambdaLimitSeconds(model);
        String note = memoryMb + " MB, run " + PlacementPolicy.secs(run)
                + (warm
                        ? ", warm"
                        : ", cold start " + PlacementPolicy.secs(cold)
                                + (sharing > 1 ? " shared by " + sharing + " recent jobs" : ""));
        PlacementPolicy.Estimate e = PlacementPolicy.Estimate.of(this, cost, run + cold, run, note);
        if (model.placement() == null
                || model.placement().lambda() == null
                || PlacementPolicy.blank(model.placement().lambda().functionName())) {
            return e.ineligible("no Lambda function is configured in the model card");
        }
        if (gpus > 0) {
            return e.ineligible("Lambda has no GPU and the model needs " + gpus);
        }
        if (memoryMb > PlacementPolicy.LAMBDA_MAX_MEMORY_MB) {
            return e.ineligible("the model needs " + memoryMb + " MB; Lambda offers at most "
                    + PlacementPolicy.LAMBDA_MAX_MEMORY_MB + " MB");
        }
        if (now.unavailable().isPresent()) {
            return e.ineligible(now.unavailable().get());
        }
        if (run > limit) {
            return e.ineligibleByEstimate("a run takes about " + PlacementPolicy.secs(run)
                    + " there; the function is stopped" + " at " + PlacementPolicy.secs(limit)
                    + (limit == PlacementPolicy.LAMBDA_MAX_SECONDS ? " (Lambda's 15-minute limit)" : ""));
        }
        return e;
    }
}
