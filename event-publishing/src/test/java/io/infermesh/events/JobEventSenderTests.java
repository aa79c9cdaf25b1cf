package io.infermesh.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import tools.jackson.databind.json.JsonMapper;

/** What every service's events look like on the wire: topic, key, CloudEvents headers, stable ids. */
class JobEventSenderTests {

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void eachEventGoesToItsTopicKeyedByJobWithCloudEventsHeadersAndItsStableId() {
        Recorder kafka = new Recorder();
        JobEventSender sender = new JobEventSender(kafka, JSON, "router-service");
        ObjectRef input = ObjectRef.of("inbox", "digits/alice/a.png");
        sender.statusChanged(JobStatusChanged.of("j-1", "digits", "alice", JobStatus.RUNNABLE, 2, NOW));
        sender.dispatched(new JobDispatched("j-1", "digits", "alice", input, 2, "r", NOW, NOW, null));
        sender.result(new JobResult("j-1", "digits", "alice", 2, null, input, input, null, null, NOW, null));

        assertThat(kafka.topics)
                .containsExactly(
                        "infermesh.jobs.lifecycle", "infermesh.jobs.dispatch.digits", "infermesh.jobs.results");
        assertThat(kafka.messages)
                .extracting(m -> m.getHeaders().get(CloudEventTypes.HEADER_ID))
                .containsExactly("j-1/2/RUNNABLE", "j-1/2/dispatch", "j-1/2/result");
        Message<?> first = kafka.messages.getFirst();
        assertThat(new String((byte[]) first.getHeaders().get(KafkaHeaders.KEY), StandardCharsets.UTF_8))
                .isEqualTo("j-1");
        assertThat(first.getHeaders().get(CloudEventTypes.HEADER_SOURCE)).isEqualTo("/infermesh/router-service");
        assertThat(first.getHeaders().get(CloudEventTypes.HEADER_TYPE)).isEqualTo(CloudEventTypes.JOB_STATUS_CHANGED);
        assertThat(JSON.readTree((byte[]) first.getPayload()).get("status").asString())
                .isEqualTo("RUNNABLE");
    }

    @Test
    void aCancellationGoesToTheCancellationsTopicWithTheIdOfTheLifecycleEvent() {
        Recorder kafka = new Recorder();
        JobEventSender sender = new JobEventSender(kafka, JSON, "status-service");
        JobStatusChanged cancelled = JobStatusChanged.of("j-2", "digits", "alice", JobStatus.CANCELLED, 3, NOW)
                .withMessage("Cancelled by alice");
        sender.statusChanged(cancelled);
        sender.cancelled(cancelled);

        assertThat(kafka.topics).containsExactly("infermesh.jobs.lifecycle", "infermesh.jobs.cancellations");
        assertThat(kafka.messages)
                .extracting(m -> m.getHeaders().get(CloudEventTypes.HEADER_ID))
                .containsExactly("j-2/3/CANCELLED", "j-2/3/CANCELLED");
        Message<?> onCancellations = kafka.messages.getLast();
        assertThat(new String((byte[]) onCancellations.getHeaders().get(KafkaHeaders.KEY), StandardCharsets.UTF_8))
                .isEqualTo("j-2");
        assertThat(onCancellations.getHeaders().get(CloudEventTypes.HEADER_TYPE))
                .isEqualTo(CloudEventTypes.JOB_STATUS_CHANGED);
        assertThat(onCancellations.getPayload())
                .isEqualTo(kafka.messages.getFirst().getPayload());
    }

    @Test
    void onlyACancelledEventGoesToTheCancellationsTopic() {
        Recorder kafka = new Recorder();
        JobEventSender sender = new JobEventSender(kafka, JSON, "status-service");
        assertThatThrownBy(
                        () -> sender.cancelled(JobStatusChanged.of("j-3", "digits", "alice", JobStatus.FAILED, 1, NOW)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("only CANCELLED events go to infermesh.jobs.cancellations, not FAILED of job j-3");
        assertThat(kafka.topics).isEmpty();
    }

    @Test
    void aSendTheBinderRefusesIsAnErrorNamingTheEventAndTopic() {
        Recorder kafka = new Recorder();
        kafka.accept = false;
        JobEventSender sender = new JobEventSender(kafka, JSON, "status-service");
        assertThatThrownBy(() ->
                        sender.statusChanged(JobStatusChanged.of("j-9", "digits", "alice", JobStatus.FAILED, 1, NOW)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("j-9")
                .hasMessageContaining("infermesh.jobs.lifecycle");
    }
}
