package io.infermesh.status;

import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.Topics;
import java.nio.charset.StandardCharsets;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.MessageBuilder;
import tools.jackson.databind.json.JsonMapper;

/**
 * status-service as a lifecycle writer: the FAILED events that settle dead-lettered and stuck jobs, published like
 * every other service's (keyed by job id, CloudEvents headers), so every consumer sees them and the projection applies
 * them through the same path.
 */
public final class LifecyclePublisher {

    private final StreamBridge bridge;
    private final JsonMapper json;

    public LifecyclePublisher(StreamBridge bridge, JsonMapper json) {
        this.bridge = bridge;
        this.json = json;
    }

    public void publish(JobStatusChanged event) {
        Message<byte[]> message = MessageBuilder.withPayload(json.writeValueAsBytes(event))
                .setHeader(KafkaHeaders.KEY, event.jobId().getBytes(StandardCharsets.UTF_8))
                .copyHeaders(CloudEventTypes.headers(event.eventId(), CloudEventTypes.JOB_STATUS_CHANGED,
                        "status-service", event.jobId(), event.occurredAt()))
                .setHeader(MessageHeaders.CONTENT_TYPE, "application/json")
                .build();
        if (!bridge.send(Topics.JOBS_LIFECYCLE.name(), message)) {
            throw new IllegalStateException("could not publish " + event.status() + " for job " + event.jobId());
        }
    }
}
