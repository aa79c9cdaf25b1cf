package io.infermesh.router.flatrate;

import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.ModelCard;
import io.infermesh.router.backend.ComputeBackend;
import io.infermesh.router.placement.BackendModel;
import io.infermesh.router.placement.PlacementPolicy.Estimate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fourth backend, added as the backend SPI says (ADR 0023): this one class (placement facts and dispatch) plus its
 * bean in {@link FlatRateConfiguration}. It charges a flat price per job, starts in a fixed time, runs at the model's
 * baseline speed and takes models of at most {@code maxMemoryMb}. Its "API" is the list of attempts handed to it,
 * which is what a test needs to see.
 */
public final class FlatRateBackend implements ComputeBackend, BackendModel {

    private final double usdPerJob;
    private final double startSeconds;
    private final int maxMemoryMb;
    private final List<JobDispatched> dispatched = new CopyOnWriteArrayList<>();

    public FlatRateBackend(double usdPerJob, double startSeconds, int maxMemoryMb) {
        this.usdPerJob = usdPerJob;
        this.startSeconds = startSeconds;
        this.maxMemoryMb = maxMemoryMb;
    }

    @Override
    public String id() {
        return "flat-rate";
    }

    @Override
    public String name() {
        return "the flat-rate test backend";
    }

    @Override
    public Estimate estimate(ModelCard model, Conditions now) {
        ModelCard.Resources r = model.resources();
        int memoryMb = r == null || r.memoryMb() == null ? 1_024 : r.memoryMb();
        double run = now.baselineRunSeconds();
        Estimate e = Estimate.of(
                this,
                usdPerJob,
                startSeconds + run,
                run,
                String.format(Locale.ROOT, "flat $%s per job, start %.2f s", usdPerJob, startSeconds));
        if (memoryMb > maxMemoryMb) {
            return e.ineligible(
                    "the model needs " + memoryMb + " MB; the flat-rate backend offers at most " + maxMemoryMb + " MB");
        }
        return now.unavailable().map(e::ineligible).orElse(e);
    }

    @Override
    public Handle dispatch(JobDispatched job, ModelCard model) {
        dispatched.add(job);
        return new Handle("flat-" + job.jobId() + "/" + job.attempt(), "handed to the flat-rate backend");
    }

    /** The attempts handed over so far. */
    public List<JobDispatched> dispatched() {
        return List.copyOf(dispatched);
    }
}
