package io.infermesh.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Prediction;
import io.infermesh.contracts.Topics;
import io.infermesh.localinfra.TopicProbe;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An owner cancels a job that has not started running, or retries a failed one (ADR 0016); what they and the mesh
 * then observe: the job's status in the API, its history, and the events on Kafka. Also the finality rules those
 * actions rest on: a SUCCEEDED or CANCELLED job never changes its outcome, whatever arrives later.
 */
class CancelAndRetryIntegrationTests extends StatusServiceIntegrationTest {

    private static final Duration PROJECTED = Duration.ofSeconds(30);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final ObjectRef INPUT =
            new ObjectRef("infermesh", "inbox/mnist/alice/seven.png", null, "9b2c", 312L, "image/png");

    @Test
    void aliceCancelsHerQueuedJobAndTheWorkThatOvertakesItChangesNothing() {
        String jobId = newJobId();
        publish(
                event(jobId, JobStatus.PENDING, 1).withInput(INPUT),
                event(jobId, JobStatus.RUNNABLE, 1).withBackend(Backend.ONPREM, "on-prem pool is warm"));
        awaitStatus(jobId, "RUNNABLE");

        as("alice")
                .post()
                .uri("/api/jobs/{id}/cancel", jobId)
                .exchange()
                .expectStatus()
                .isAccepted()
                .expectBody()
                .json("""
                        {"jobId": "%s", "attempt": 1, "status": "CANCELLED", "message": "Cancelled by alice"}
                        """.formatted(jobId));
        awaitStatus(jobId, "CANCELLED");

        // a worker that had already taken the dispatch, and the router's re-dispatch of another attempt
        publish(
                event(jobId, JobStatus.STARTING, 1),
                event(jobId, JobStatus.RUNNING, 1),
                event(jobId, JobStatus.SUCCEEDED, 1)
                        .withOutput(ObjectRef.of("infermesh", "results/" + jobId))
                        .withPredictions(List.of(new Prediction("7", 0.9))),
                event(jobId, JobStatus.RUNNABLE, 2).withBackend(Backend.BATCH, "re-dispatched"));
        await().atMost(PROJECTED)
                .untilAsserted(() -> as("alice")
                        .get()
                        .uri("/api/jobs/{id}/events", jobId)
                        .exchange()
                        .expectBody()
                        .jsonPath("$.events.length()")
                        .isEqualTo(7));
        as("alice")
                .get()
                .uri("/api/jobs/{id}", jobId)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("CANCELLED")
                .jsonPath("$.attempt")
                .isEqualTo(1)
                .jsonPath("$.message")
                .isEqualTo("Cancelled by alice")
                .jsonPath("$.output")
                .doesNotExist()
                .jsonPath("$.predictions")
                .doesNotExist()
                .jsonPath("$.timestamps.CANCELLED")
                .exists();

        ConsumerRecord<String, String> cancelled = lifecycleRecord(jobId, JobStatus.CANCELLED);
        assertThat(TopicProbe.header(cancelled, CloudEventTypes.HEADER_ID)).isEqualTo(jobId + "/1/CANCELLED");
        assertThat(TopicProbe.header(cancelled, CloudEventTypes.HEADER_SOURCE)).endsWith("/status-service");

        // and the workers are told, so that one that takes the queued dispatch later skips it
        ConsumerRecord<String, String> forWorkers = TopicProbe.awaitRecords(
                        bootstrapServers(),
                        Topics.JOBS_CANCELLATIONS.name(),
                        jobId,
                        found -> !found.isEmpty(),
                        PROJECTED)
                .getFirst();
        assertThat(TopicProbe.header(forWorkers, CloudEventTypes.HEADER_ID)).isEqualTo(jobId + "/1/CANCELLED");
        assertThat(TopicProbe.header(forWorkers, CloudEventTypes.HEADER_TYPE))
                .isEqualTo(CloudEventTypes.JOB_STATUS_CHANGED);
        assertThat(TopicProbe.header(forWorkers, CloudEventTypes.HEADER_SOURCE)).endsWith("/status-service");
        JsonNode announced = JSON.readTree(forWorkers.value());
        assertThat(announced.get("status").asString()).isEqualTo("CANCELLED");
        assertThat(announced.get("attempt").asInt()).isEqualTo(1);
        assertThat(announced.get("model").asString()).isEqualTo("mnist");
        assertThat(announced.get("message").asString()).isEqualTo("Cancelled by alice");
    }

    @Test
    void cancellingTwiceGivesTheSameAnswerAndOneEvent() {
        String jobId = newJobId();
        publish(event(jobId, JobStatus.PENDING, 1).withInput(INPUT));
        awaitStatus(jobId, "PENDING");
        as("alice")
                .post()
                .uri("/api/jobs/{id}/cancel", jobId)
                .exchange()
                .expectStatus()
                .isAccepted();
        awaitStatus(jobId, "CANCELLED");
        as("alice")
                .post()
                .uri("/api/jobs/{id}/cancel", jobId)
                .exchange()
                .expectStatus()
                .isAccepted()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("CANCELLED")
                .jsonPath("$.message")
                .isEqualTo("Cancelled by alice");
        as("alice")
                .get()
                .uri("/api/jobs/{id}/events", jobId)
                .exchange()
                .expectBody()
                .jsonPath("$.events[?(@.status == 'CANCELLED')].eventId")
                .value(ids -> assertThat((List<?>) ids).hasSize(1));
        // the workers hear of it again (a first cancel whose copy for them Kafka refused is completed so), one id
        var forWorkers = TopicProbe.awaitRecords(
                bootstrapServers(), Topics.JOBS_CANCELLATIONS.name(), jobId, found -> found.size() == 2, PROJECTED);
        assertThat(forWorkers)
                .extracting(r -> TopicProbe.header(r, CloudEventTypes.HEADER_ID))
                .containsOnly(jobId + "/1/CANCELLED");
    }

    @Test
    void aRunningOrFinishedJobCannotBeCancelledAndTheRefusalSaysWhy() {
        String running = newJobId();
        String succeeded = newJobId();
        publish(
                event(running, JobStatus.PENDING, 1), event(running, JobStatus.RUNNING, 1),
                event(succeeded, JobStatus.PENDING, 1), event(succeeded, JobStatus.SUCCEEDED, 1));
        awaitStatus(running, "RUNNING");
        awaitStatus(succeeded, "SUCCEEDED");

        as("alice")
                .post()
                .uri("/api/jobs/{id}/cancel", running)
                .exchange()
                .expectStatus()
                .isEqualTo(409)
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.title")
                .isEqualTo("Job cannot be cancelled")
                .jsonPath("$.detail")
                .isEqualTo("Job '" + running + "' cannot be cancelled: it is already RUNNING "
                        + "and will finish; only a job that has not started running can be cancelled")
                .jsonPath("$.status")
                .isEqualTo("RUNNING");
        as("alice")
                .post()
                .uri("/api/jobs/{id}/cancel", succeeded)
                .exchange()
                .expectStatus()
                .isEqualTo(409)
                .expectBody()
                .jsonPath("$.detail")
                .isEqualTo("Job '" + succeeded + "' cannot be cancelled: it has already SUCCEEDED");
        as("alice")
                .get()
                .uri("/api/jobs/{id}", running)
                .exchange()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("RUNNING");
    }

    @Test
    void aCancelThatArrivesAfterTheJobStartedRunningIsRecordedButTheJobFinishes() {
        String jobId = newJobId();
        publish(
                event(jobId, JobStatus.PENDING, 1),
                event(jobId, JobStatus.RUNNING, 1),
                event(jobId, JobStatus.CANCELLED, 1).withMessage("Cancelled by alice"),
                event(jobId, JobStatus.SUCCEEDED, 1).withPredictions(List.of(new Prediction("7", 0.9))));
        await().atMost(PROJECTED)
                .untilAsserted(() -> as("alice")
                        .get()
                        .uri("/api/jobs/{id}/events", jobId)
                        .exchange()
                        .expectBody()
                        .jsonPath("$.events.length()")
                        .isEqualTo(4));
        as("alice")
                .get()
                .uri("/api/jobs/{id}", jobId)
                .exchange()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("SUCCEEDED")
                .jsonPath("$.predictions[0].label")
                .isEqualTo("7")
                .jsonPath("$.message")
                .doesNotExist();
    }

    @Test
    void aSucceededJobKeepsItsOutcomeWhenALateFailureOfAnotherAttemptArrives() {
        String jobId = newJobId();
        publish(
                event(jobId, JobStatus.PENDING, 1),
                event(jobId, JobStatus.RUNNING, 1),
                event(jobId, JobStatus.SUCCEEDED, 1)
                        .withOutput(ObjectRef.of("infermesh", "results/" + jobId))
                        .withPredictions(List.of(new Prediction("3", 0.8))),
                event(jobId, JobStatus.FAILED, 2)
                        .withBackend(Backend.LAMBDA, "late")
                        .withFailure(FailureReason.BACKEND_ERROR, "Lambda said no"));
        await().atMost(PROJECTED)
                .untilAsserted(() -> as("alice")
                        .get()
                        .uri("/api/jobs/{id}/events", jobId)
                        .exchange()
                        .expectBody()
                        .jsonPath("$.events.length()")
                        .isEqualTo(4));
        as("alice")
                .get()
                .uri("/api/jobs/{id}", jobId)
                .exchange()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("SUCCEEDED")
                .jsonPath("$.attempt")
                .isEqualTo(1)
                .jsonPath("$.output.key")
                .isEqualTo("results/" + jobId)
                .jsonPath("$.predictions[0].label")
                .isEqualTo("3")
                .jsonPath("$.reason")
                .doesNotExist()
                .jsonPath("$.backend")
                .doesNotExist()
                .jsonPath("$.message")
                .doesNotExist();
    }

    @Test
    void aliceRetriesHerFailedJobOnAnotherBackendAndTheRouterIsAskedForTheNextAttempt() {
        String jobId = newJobId();
        publish(
                event(jobId, JobStatus.PENDING, 1).withInput(INPUT),
                event(jobId, JobStatus.RUNNABLE, 1).withBackend(Backend.LAMBDA, "cheapest"),
                event(jobId, JobStatus.FAILED, 1)
                        .withBackend(Backend.LAMBDA, "cheapest")
                        .withFailure(FailureReason.BACKEND_UNAVAILABLE, "Lambda is throttling"));
        awaitStatus(jobId, "FAILED");

        as("alice")
                .post()
                .uri("/api/jobs/{id}/retry?backend=batch", jobId)
                .exchange()
                .expectStatus()
                .isAccepted()
                .expectBody()
                .json("""
                        {"jobId": "%s", "attempt": 2, "status": "PENDING", "message": "Retried by alice, on batch"}
                        """.formatted(jobId));
        await().atMost(PROJECTED)
                .untilAsserted(() -> as("alice")
                        .get()
                        .uri("/api/jobs/{id}", jobId)
                        .exchange()
                        .expectBody()
                        .jsonPath("$.status")
                        .isEqualTo("PENDING")
                        .jsonPath("$.attempt")
                        .isEqualTo(2)
                        .jsonPath("$.reason")
                        .doesNotExist()
                        .jsonPath("$.backend")
                        .doesNotExist()
                        .jsonPath("$.input.key")
                        .isEqualTo(INPUT.key()));

        ConsumerRecord<String, String> request = TopicProbe.awaitRecords(
                        bootstrapServers(), Topics.JOBS_REQUESTED.name(), jobId, found -> !found.isEmpty(), PROJECTED)
                .getFirst();
        JsonNode requested = JSON.readTree(request.value());
        assertThat(requested.get("attempt").asInt()).isEqualTo(2);
        assertThat(requested.get("requestedBackend").asString()).isEqualTo("batch");
        assertThat(requested.get("intake").asString()).isEqualTo("retry");
        assertThat(requested.get("owner").asString()).isEqualTo("alice");
        assertThat(requested.get("input").get("key").asString()).isEqualTo(INPUT.key());
        assertThat(TopicProbe.header(request, CloudEventTypes.HEADER_ID)).isEqualTo(jobId + "/2/requested");
    }

    @Test
    void onlyAFailedJobCanBeRetriedAndAnUnknownBackendIsA400() {
        String succeeded = newJobId();
        String failed = newJobId();
        publish(
                event(succeeded, JobStatus.PENDING, 1),
                event(succeeded, JobStatus.SUCCEEDED, 1),
                event(failed, JobStatus.PENDING, 1).withInput(INPUT),
                event(failed, JobStatus.FAILED, 1).withFailure(FailureReason.MODEL_ERROR, "the model failed"));
        awaitStatus(succeeded, "SUCCEEDED");
        awaitStatus(failed, "FAILED");

        as("alice")
                .post()
                .uri("/api/jobs/{id}/retry", succeeded)
                .exchange()
                .expectStatus()
                .isEqualTo(409)
                .expectBody()
                .jsonPath("$.title")
                .isEqualTo("Job cannot be retried")
                .jsonPath("$.detail")
                .isEqualTo("Job '" + succeeded + "' cannot be retried: it has SUCCEEDED and " + "its result stands");
        as("alice")
                .post()
                .uri("/api/jobs/{id}/retry?backend=gpu", failed)
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.title")
                .isEqualTo("Unknown backend")
                .jsonPath("$.legalValues")
                .isEqualTo(List.of("onprem", "lambda", "batch"));
        as("alice")
                .get()
                .uri("/api/jobs/{id}", failed)
                .exchange()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("FAILED")
                .jsonPath("$.attempt")
                .isEqualTo(1);
    }

    @Test
    void anOperatorCancelsAnyonesJobAndTheMessageSaysWhoDidIt() {
        String jobId = newJobId();
        publish(event(jobId, JobStatus.PENDING, 1).withInput(INPUT));
        awaitStatus(jobId, "PENDING");
        rest.post()
                .uri("/api/jobs/{id}/cancel", jobId)
                .exchange()
                .expectStatus()
                .isAccepted()
                .expectBody()
                .jsonPath("$.message")
                .isEqualTo("Cancelled by operator infermesh-operator");
        awaitStatus(jobId, "CANCELLED");
    }

    private static JobStatusChanged event(String jobId, JobStatus status, int attempt) {
        return JobStatusChanged.of(jobId, "mnist", "alice", status, attempt, Instant.now());
    }

    private void awaitStatus(String jobId, String status) {
        await().atMost(PROJECTED)
                .untilAsserted(() -> rest.get()
                        .uri("/api/jobs/{id}", jobId)
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectBody()
                        .jsonPath("$.status")
                        .isEqualTo(status));
    }

    private static ConsumerRecord<String, String> lifecycleRecord(String jobId, JobStatus status) {
        return TopicProbe.awaitRecords(
                        bootstrapServers(),
                        LIFECYCLE,
                        jobId,
                        found -> found.stream().anyMatch(r -> r.value().contains("\"status\":\"" + status + "\"")),
                        PROJECTED)
                .stream()
                .filter(r -> r.value().contains("\"status\":\"" + status + "\""))
                .findFirst()
                .orElseThrow();
    }
}
