package io.infermesh.router.backend;

import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.Topics;
import io.infermesh.events.JobEventSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-prem pool: a {@link JobDispatched} record on the model's dispatch topic, which the model's workers consume
 * (their results come back on the lifecycle topic directly).
 */
final class OnPremBackend implements ComputeBackend {

    private static final Logger log = LoggerFactory.getLogger(OnPremBackend.class);

    private final JobEventSender publisher;

    OnPremBackend(JobEventSender publisher) {
        this.publisher = publisher;
    }

    @Override
    public String id() {
        return "onprem";
    }

    @Override
    public Handle dispatch(JobDispatched job, ModelCard model) {
        String topic = Topics.dispatch(job.model()).name();
        try {
            publisher.dispatched(job);
        } catch (RuntimeException e) {
            // the producer's own text (a Kafka timeout, a broker's error) is for the log; the sentence may reach the
            // job's message when the request is finally dead-lettered
            log.warn(
                    "job {} attempt {}: Kafka did not take the dispatch record on {}",
                    job.jobId(),
                    job.attempt(),
                    topic,
                    e);
            throw new BackendException(
                    BackendException.Kind.TRANSIENT,
                    "Kafka did not take the dispatch record on "
                            + topic + " for the on-prem pool of model '" + job.model() + "' (the router's log has the"
                            + " producer's error)",
                    null);
        }
        return new Handle(job.jobId(), "dispatched to " + topic);
    }
}
