package io.infermesh.router.kafka;

import io.infermesh.events.JobEventSender;
import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.RemoteJob;
import io.infermesh.contracts.Topics;
import io.infermesh.router.backend.BackendException;
import io.infermesh.router.backend.ComputeBackend;

/**
 * The on-prem pool: a {@link JobDispatched} record on the model's dispatch topic, which the model's workers consume
 * (their results come back on the lifecycle topic directly).
 */
final class OnPremBackend implements ComputeBackend {

    private final JobEventSender publisher;

    OnPremBackend(JobEventSender publisher) {
        this.publisher = publisher;
    }

    @Override
    public Backend id() {
        return Backend.ONPREM;
    }

    @Override
    public Handle dispatch(RemoteJob job, String reason, ModelCard model) {
        try {
            publisher.dispatched(new JobDispatched(job.jobId(), job.model(), job.owner(), job.input(), job.attempt(),
                    reason, job.requestedAt(), job.dispatchedAt(), job.estimatedCostUsd()));
        } catch (RuntimeException e) {
            throw new BackendException(BackendException.Kind.TRANSIENT, "Kafka did not take the dispatch: " + e, e);
        }
        return new Handle(job.jobId(), "dispatched to " + Topics.dispatch(job.model()).name());
    }
}
