package io.infermesh.ingest.intake;

import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.springframework.cloud.stream.function.StreamOperations;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes job events as CloudEvents (Kafka binary mode) keyed by jobId. Sends are synchronous (producer
 * {@code sync: true}): a method returns only after Kafka acknowledged the record and throws otherwise, so every intake
 * acknowledges its notification (Kafka offset, HTTP 202, SQS delete) only after its jobs are safe. At-least-once,
 * made safe by deterministic job and event ids.
 */
@Component
public class JobEventPublisher {

    private final StreamOperations bridge;
    private final JsonMapper json;

    public JobEventPublisher(StreamOperations bridge, JsonMapper json) {
        this.bridge = bridge;
        this.json = json;
    }

    public void requested(JobRequested job) {
        send(Topics.JOBS_REQUESTED.name(), job.jobId(), job.jobId() + "/requested", CloudEventTypes.JOB_REQUESTED,
                job.requestedAt(), job);
    }

    public void statusChanged(JobStatusChanged event) {
        send(Topics.JOBS_LIFECYCLE.name(), event.jobId(), event.eventId(), CloudEventTypes.JOB_STATUS_CHANGED,
                event.occurredAt(), event);
    }

    /** A job's result, event id {@code <jobId>/<attempt>/result} as the worker's. */
    public void result(JobResult result) {
        send(Topics.JOBS_RESULTS.name(), result.jobId(), result.jobId() + "/" + result.attempt() + "/result",
                CloudEventTypes.JOB_RESULT, result.completedAt(), result);
    }

    private void send(String topic, String jobId, String eventId, String type, Instant time, Object payload) {
        Message<byte[]> message = MessageBuilder.withPayload(json.writeValueAsBytes(payload))
                .setHeader(KafkaHeaders.KEY, jobId.getBytes(StandardCharsets.UTF_8))
                .copyHeaders(CloudEventTypes.headers(eventId, type, "ingest-service", jobId, time))
                .setHeader(MessageHeaders.CONTENT_TYPE, "application/json")
                .build();
        if (!bridge.send(topic, message)) {
            throw new IllegalStateException("could not publish " + type + " for job " + jobId + " to " + topic);
        }
    }
}
