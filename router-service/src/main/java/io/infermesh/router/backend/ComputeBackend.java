package io.infermesh.router.backend;

import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.ModelCard;
import io.infermesh.router.placement.BackendModel;

/**
 * Somewhere a job can run: the dispatch half of the backend SPI (ADR 0023). A backend beyond the shipped three is one
 * class implementing this and {@link BackendModel} (its placement facts: limits, price model, availability, start-up),
 * registered as a bean; the router collects every bean of either kind into {@link Backends} and the
 * {@link io.infermesh.router.placement.PlacementPolicy}.
 */
public interface ComputeBackend {

    /**
     * Which backend this is, as placement names it ({@link BackendModel#id()}): {@code onprem}, {@code lambda},
     * {@code batch} or an added backend's own id.
     */
    String id();

    /**
     * Hands one attempt of a job over. Returns when the backend has accepted it (not when it has run).
     *
     * @param job the attempt, the same record for every backend (ADR 0020): what to run, where the input is, where the
     *     result goes, why it was placed here, by when it should be done
     * @param model the model's card (the backend's target: function, queue, resources)
     * @return what the backend calls the job, for logs and tracking
     * @throws BackendException when the backend refused or could not be reached
     */
    Handle dispatch(JobDispatched job, ModelCard model);

    /**
     * The backend's own name for a dispatched job.
     *
     * @param id the backend's id (Lambda request id, Batch job id, Kafka partition and offset)
     * @param detail a few words for people
     */
    record Handle(String id, String detail) {}
}
