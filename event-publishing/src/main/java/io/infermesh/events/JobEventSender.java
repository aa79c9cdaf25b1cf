package io.infermesh.events;

import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.springframework.cloud.stream.function.StreamOperations;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.MessageBuilder;
import tools.jackson.databind.json.JsonMapper;

/**
 * How every service publishes a job event (ADR 0003): the record as JSON, keyed by job id, with CloudEvents binary-mode
 * headers naming the service as source, and the stable event ids of the contracts ({@code <jobId>/requested} ({@code <jobId>/<attempt>/requested} for a retry),
 * {@code <jobId>/<attempt>/<status>} (also for a cancellation), {@code <jobId>/<attempt>/dispatch},
 * {@code <jobId>/<attempt>/result}). With the
 * bindings' {@code sync: true} a send returns only after Kafka acknowledged it, and throws otherwise.
 */
public final class JobEventSender {

    private final StreamOperations bridge;
    private final JsonMapper json;
    private final String service;

    /**
     * @param service the publishing service, the CloudEvents source ({@code /infermesh/<service>})
     */
    public JobEventSender(StreamOperations bridge, JsonMapper json, String service) {
        this.bridge = bridge;
        this.json = json;
        this.service = service;
    }

    public void requested(JobRequested job) {
        send(
                Topics.JOBS_REQUESTED.name(),
                job.jobId(),
                requestedEventId(job),
                CloudEventTypes.JOB_REQUESTED,
                job.requestedAt(),
                job);
    }

    /**
     * {@code <jobId>/requested} for a job's first request; {@code <jobId>/<attempt>/requested} for a retry, which is
     * another event than the first request (ADR 0016) but the same one however often its owner asks for it.
     */
    public static String requestedEventId(JobRequested job) {
        return job.attemptOrFirst() == 1
                ? job.jobId() + "/requested"
                : job.jobId() + "/" + job.attemptOrFirst() + "/requested";
    }

    public void statusChanged(JobStatusChanged event) {
        send(
                Topics.JOBS_LIFECYCLE.name(),
                event.jobId(),
                event.eventId(),
                CloudEventTypes.JOB_STATUS_CHANGED,
                event.occurredAt(),
                event);
    }

    /**
     * A cancel, for the workers (ADR 0016): the {@code CANCELLED} event that {@link #statusChanged} put on the
     * lifecycle, on {@link Topics#JOBS_CANCELLATIONS}, with the same CloudEvents id.
     *
     * @throws IllegalArgumentException for an event of another status: nothing else belongs on that topic
     */
    public void cancelled(JobStatusChanged event) {
        if (event.status() != JobStatus.CANCELLED) {
            throw new IllegalArgumentException("only CANCELLED events go to " + Topics.JOBS_CANCELLATIONS.name()
                    + ", not " + event.status() + " of job " + event.jobId());
        }
        send(
                Topics.JOBS_CANCELLATIONS.name(),
                event.jobId(),
                event.eventId(),
                CloudEventTypes.JOB_STATUS_CHANGED,
                event.occurredAt(),
                event);
    }

    public void dispatched(JobDispatched dispatch) {
        send(
                Topics.dispatch(dispatch.model()).name(),
                dispatch.jobId(),
                dispatch.jobId() + "/" + dispatch.attempt() + "/dispatch",
                CloudEventTypes.JOB_DISPATCHED,
                dispatch.dispatchedAt(),
                dispatch);
    }

    public void result(JobResult result) {
        send(
                Topics.JOBS_RESULTS.name(),
                result.jobId(),
                result.jobId() + "/" + result.attempt() + "/result",
                CloudEventTypes.JOB_RESULT,
                result.completedAt(),
                result);
    }

    /** The message {@link #send} publishes: JSON value, job id key, CloudEvents headers. */
    public Message<byte[]> message(String jobId, String eventId, String type, Instant time, Object payload) {
        return MessageBuilder.withPayload(json.writeValueAsBytes(payload))
                .setHeader(KafkaHeaders.KEY, jobId.getBytes(StandardCharsets.UTF_8))
                .copyHeaders(CloudEventTypes.headers(eventId, type, service, jobId, time))
                .setHeader(MessageHeaders.CONTENT_TYPE, "application/json")
                .build();
    }

    private void send(String topic, String jobId, String eventId, String type, Instant time, Object payload) {
        if (!bridge.send(topic, message(jobId, eventId, type, time, payload))) {
            throw new IllegalStateException("could not publish " + type + " for job " + jobId + " to " + topic);
        }
    }
}
