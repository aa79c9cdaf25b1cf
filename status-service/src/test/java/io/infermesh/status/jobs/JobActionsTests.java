package io.infermesh.status.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Topics;
import io.infermesh.events.JobEventSender;
import io.infermesh.security.Caller;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.stream.function.StreamOperations;
import org.springframework.http.HttpStatus;
import org.springframework.messaging.Message;
import org.springframework.util.MimeType;
import org.springframework.web.ErrorResponseException;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a cancel publishes, and what happens when Kafka refuses part of it: the workers' copy on
 * {@code infermesh.jobs.cancellations} is as much a part of the cancel as the lifecycle event (ADR 0016).
 */
class JobActionsTests {

    private static final Instant NOW = Instant.parse("2026-12-04T09:00:00Z");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Caller ALICE = new Caller("alice", false);

    /** What would go to Kafka; topics in {@code refused} are refused by the binder. */
    private static final class Binder implements StreamOperations {
        final List<String> topics = new ArrayList<>();
        final List<Message<?>> messages = new ArrayList<>();
        final Set<String> refused = new HashSet<>();

        @Override
        public boolean send(String bindingName, Object data) {
            if (refused.contains(bindingName)) {
                return false;
            }
            topics.add(bindingName);
            messages.add((Message<?>) data);
            return true;
        }

        @Override
        public boolean send(String bindingName, Object data, MimeType outputContentType) {
            return send(bindingName, data);
        }

        @Override
        public boolean send(String bindingName, String binderName, Object data) {
            return send(bindingName, data);
        }

        @Override
        public boolean send(String bindingName, String binderName, Object data, MimeType outputContentType) {
            return send(bindingName, data);
        }
    }

    private final Binder kafka = new Binder();
    private final JobActions actions =
            new JobActions(new JobEventSender(kafka, JSON, "status-service"), Clock.fixed(NOW, ZoneOffset.UTC));

    private static JobView job(JobStatus status, String message, Map<String, Instant> timestamps) {
        return new JobView(
                "j-1",
                "digits",
                "alice",
                status,
                2,
                null,
                null,
                null,
                message,
                ObjectRef.of("infermesh", "inbox/digits/alice/a.png"),
                null,
                null,
                null,
                null,
                null,
                null,
                NOW,
                NOW,
                timestamps);
    }

    @Test
    void aCancelIsPublishedOnTheLifecycleAndThenForTheWorkersWithOneId() {
        actions.cancel(job(JobStatus.RUNNABLE, null, Map.of()), ALICE);

        assertThat(kafka.topics).containsExactly(Topics.JOBS_LIFECYCLE.name(), Topics.JOBS_CANCELLATIONS.name());
        assertThat(kafka.messages)
                .extracting(m -> m.getHeaders().get(CloudEventTypes.HEADER_ID))
                .containsExactly("j-1/2/CANCELLED", "j-1/2/CANCELLED");
        var forWorkers = JSON.readTree((byte[]) kafka.messages.getLast().getPayload());
        assertThat(forWorkers.get("status").asString()).isEqualTo("CANCELLED");
        assertThat(forWorkers.get("attempt").asInt()).isEqualTo(2);
        assertThat(forWorkers.get("message").asString()).isEqualTo("Cancelled by alice");
    }

    @Test
    void whenTheWorkersCopyIsRefusedTheCancelIsA503AndAskingAgainOnceItIsCancelledTellsTheWorkers() {
        kafka.refused.add(Topics.JOBS_CANCELLATIONS.name());

        assertThatThrownBy(() -> actions.cancel(job(JobStatus.RUNNABLE, null, Map.of()), ALICE))
                .isInstanceOfSatisfying(ErrorResponseException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                    assertThat(e.getBody().getTitle()).isEqualTo("Try again shortly");
                });
        assertThat(kafka.topics).containsExactly(Topics.JOBS_LIFECYCLE.name());

        // the lifecycle event was projected: the job reads CANCELLED; alice asks again and Kafka takes it now
        kafka.refused.clear();
        Instant cancelledAt = NOW.minusSeconds(5);
        var accepted =
                actions.cancel(job(JobStatus.CANCELLED, "Cancelled by alice", Map.of("CANCELLED", cancelledAt)), ALICE);

        assertThat(accepted.message()).isEqualTo("Cancelled by alice");
        assertThat(kafka.topics)
                .as("the lifecycle already has it")
                .containsExactly(Topics.JOBS_LIFECYCLE.name(), Topics.JOBS_CANCELLATIONS.name());
        Message<?> again = kafka.messages.getLast();
        assertThat(again.getHeaders().get(CloudEventTypes.HEADER_ID)).isEqualTo("j-1/2/CANCELLED");
        assertThat(again.getHeaders().get(CloudEventTypes.HEADER_TIME)).isEqualTo(cancelledAt.toString());
    }
}
