package io.infermesh.router.kafka;

import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.MessageBuilder;
import tools.jackson.databind.json.JsonMapper;

/** The router's Kafka output: lifecycle events, on-prem dispatches and (for Batch jobs seen by polling) results. */
public final class Publisher {

    private final StreamBridge bridge;
    private final JsonMapper json;

    public Publisher(StreamBridge bridge, JsonMapper json) {
        this.bridge = bridge;
        this.json = json;
    }

    public void status(JobStatusChanged event) {
        send(Topics.JOBS_LIFECYCLE.name(), event.jobId(), event.eventId(), CloudEventTypes.JOB_STATUS_CHANGED,
                event.occurredAt(), event);
    }

    public void dispatch(JobDispatched dispatch) {
        send(Topics.dispatch(dispatch.model()).name(), dispatch.jobId(),
                dispatch.jobId() + "/" + dispatch.attempt() + "/dispatch", CloudEventTypes.JOB_DISPATCHED,
                dispatch.dispatchedAt(), dispatch);
    }

    public void result(JobResult result) {
        send(Topics.JOBS_RESULTS.name(), result.jobId(), result.jobId() + "/" + result.attempt() + "/result",
                CloudEventTypes.JOB_RESULT, result.completedAt(), result);
    }

    private void send(String topic, String jobId, String eventId, String type, Instant time, Object payload) {
        Message<byte[]> message = MessageBuilder.withPayload(json.writeValueAsBytes(payload))
                .setHeader(KafkaHeaders.KEY, jobId.getBytes(StandardCharsets.UTF_8))
                .copyHeaders(CloudEventTypes.headers(eventId, type, "router-service", jobId, time))
                .setHeader(MessageHeaders.CONTENT_TYPE, "application/json")
                .build();
        if (!bridge.send(topic, message)) {
            throw new IllegalStateException("could not publish " + type + " for job " + jobId + " to " + topic);
        }
    }
}
