package io.infermesh.router.placement;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.ModelCard;
import java.util.Arrays;
import java.util.Optional;

/**
 * One backend as placement sees it: its hard limits, its price model, its expected start-up and run time, in one
 * {@link PlacementPolicy.Estimate} per job. {@link PlacementPolicy} asks every registered model instead of knowing
 * the backends; the on-prem pool, Lambda and Batch are {@link OnPremModel}, {@link LambdaModel} and
 * {@link BatchModel}, and a further backend brings its own (ADR 0023).
 */
public interface BackendModel {

    /** The backend's id as cards, requests and metrics write it: {@code onprem}, {@code lambda}, {@code batch}. */
    String id();

    /** The backend as people read it: "the on-prem pool", "AWS Lambda". */
    String name();

    /**
     * This backend's expected completion and cost for one job of {@code model}, or why it cannot take it.
     *
     * @param model the model's card (resources, placement targets)
     * @param now what the router knows at this moment
     */
    PlacementPolicy.Estimate estimate(ModelCard model, Conditions now);

    /**
     * The wire value of a shipped backend; empty for a backend added through this interface, whose events carry no
     * {@code backend} field (its id travels in the reason and the decision's notes, ADR 0023).
     */
    default Optional<Backend> wire() {
        return Arrays.stream(Backend.values())
                .filter(b -> PlacementPolicy.wire(b).equals(id()))
                .findFirst();
    }

    /**
     * What the router knows of the moment that an estimate rests on.
     *
     * @param baselineRunSeconds the model's run time on one CPU (observed, else the card's, else the default)
     * @param runTimes observed run times per backend
     * @param capacity the on-prem pool's backlog and slots, warmth per backend
     * @param unavailable why this backend cannot take jobs now (breaker open, not configured), or empty
     */
    record Conditions(double baselineRunSeconds, RunTimes runTimes, Capacity capacity, Optional<String> unavailable) {}
}
