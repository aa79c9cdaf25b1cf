package io.infermesh.router.backend;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.RemoteJob;

/**
 * Somewhere a job can run. Placement never sees more than this; adding another cloud means one more implementation
 * (and one more {@link Backend} value), not a change to the policy.
 */
public interface ComputeBackend {

    /** Which backend this is. */
    Backend id();

    /**
     * Hands one attempt of a job over. Returns when the backend has accepted it (not when it has run).
     *
     * @param job the job's payload: what to run, where the input is, where the result goes
     * @param reason why it was placed here, for the backend's records
     * @param model the model's card (the backend's target: function, queue, resources)
     * @return what the backend calls the job, for logs and tracking
     * @throws BackendException when the backend refused or could not be reached
     */
    Handle dispatch(RemoteJob job, String reason, ModelCard model);

    /**
     * The backend's own name for a dispatched job.
     *
     * @param id the backend's id (Lambda request id, Batch job id, Kafka partition and offset)
     * @param detail a few words for people
     */
    record Handle(String id, String detail) {}
}
