package io.infermesh.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Prediction;
import io.infermesh.contracts.Timings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What a REST client sees after lifecycle events reach Kafka, in order, out of order, twice, or superseded. */
class JobLifecycleIntegrationTests extends StatusServiceIntegrationTest {

    private static final Duration PROJECTED = Duration.ofSeconds(30);
    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
    private static final ObjectRef INPUT =
            new ObjectRef("inbox", "mnist/alice/seven.png", "v1", "9b2cf535", 312L, "image/png");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void eventsPublishedOnTheLifecycleTopicShowUpInTheRestApi() {
        String jobId = newJobId();

        publish(
                event(jobId, JobStatus.PENDING, 1, 0).withInput(INPUT),
                event(jobId, JobStatus.RUNNABLE, 1, 4).withBackend(Backend.ONPREM, "on-prem pool is warm"),
                event(jobId, JobStatus.STARTING, 1, 7).withColdStart(true),
                event(jobId, JobStatus.RUNNING, 1, 9),
                event(jobId, JobStatus.SUCCEEDED, 1, 15)
                        .withOutput(ObjectRef.of("results", "mnist/alice/" + jobId + "/result.json"))
                        .withTimings(new Timings(3L, 2L, 120L, 4L, 3L, 15L))
                        .withPredictions(List.of(new Prediction("7", 0.97), new Prediction("1", 0.02))));

        await().atMost(PROJECTED)
                .untilAsserted(() -> rest.get()
                        .uri("/api/jobs/{id}", jobId)
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectBody()
                        .jsonPath("$.status")
                        .isEqualTo("SUCCEEDED"));
        rest.get()
                .uri("/api/jobs/{id}", jobId)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .json("""
                        {"jobId": "%1$s", "model": "mnist", "owner": "alice", "status": "SUCCEEDED", "attempt": 1,
                         "backend": "onprem", "placementReason": "on-prem pool is warm",
                         "input": {"bucket": "inbox", "key": "mnist/alice/seven.png", "versionId": "v1",
                                   "eTag": "9b2cf535", "size": 312, "contentType": "image/png"},
                         "output": {"bucket": "results", "key": "mnist/alice/%1$s/result.json"},
                         "outputUri": "s3://results/mnist/alice/%1$s/result.json",
                         "coldStart": true,
                         "timings": {"queueWaitMs": 3, "downloadMs": 2, "modelLoadMs": 120, "inferenceMs": 4,
                                     "uploadMs": 3, "totalMs": 15},
                         "predictions": [{"label": "7", "probability": 0.97}, {"label": "1", "probability": 0.02}],
                         "createdAt": "2025-03-01T10:00:00Z",
                         "timestamps": {"PENDING": "2025-03-01T10:00:00Z", "RUNNABLE": "2025-03-01T10:00:00.004Z",
                                        "STARTING": "2025-03-01T10:00:00.007Z", "RUNNING": "2025-03-01T10:00:00.009Z",
                                        "SUCCEEDED": "2025-03-01T10:00:00.015Z"}}
                        """.formatted(jobId))
                .jsonPath("$.updatedAt")
                .exists()
                .jsonPath("$.reason")
                .doesNotExist()
                .jsonPath("$.message")
                .doesNotExist()
                .jsonPath("$.estimatedCostUsd")
                .doesNotExist();
    }

    @Test
    void theSameEventTwiceYieldsOneHistoryRowAndAnUnchangedJob() {
        String jobId = newJobId();
        publish(
                event(jobId, JobStatus.PENDING, 1, 0).withInput(INPUT),
                event(jobId, JobStatus.RUNNABLE, 1, 4).withBackend(Backend.LAMBDA, "cheapest within deadline"));
        awaitStatus(jobId, "RUNNABLE");
        String before = jobJson(jobId);
        double duplicates = eventsCounted("duplicate");

        publish(event(jobId, JobStatus.RUNNABLE, 1, 4).withBackend(Backend.LAMBDA, "cheapest within deadline"));

        await().atMost(PROJECTED).until(() -> eventsCounted("duplicate") > duplicates);
        assertThat(jobJson(jobId)).isEqualTo(before);
        rest.get()
                .uri("/api/jobs/{id}/events", jobId)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.events[*].eventId")
                .value(List.class, ids -> assertThat(ids).containsExactly(jobId + "/1/PENDING", jobId + "/1/RUNNABLE"));
    }

    @Test
    void anOutOfOrderOlderEventDoesNotMoveTheJobBackwardsButFillsWhatWasMissing() {
        String jobId = newJobId();
        publish(
                event(jobId, JobStatus.RUNNABLE, 1, 4).withBackend(Backend.ONPREM, "warm pool"),
                event(jobId, JobStatus.SUCCEEDED, 1, 15).withOutput(ObjectRef.of("results", "r.json")));
        awaitStatus(jobId, "SUCCEEDED");
        double stale = eventsCounted("stale");

        publish(
                event(jobId, JobStatus.RUNNING, 1, 9).withColdStart(false),
                event(jobId, JobStatus.PENDING, 1, 0).withInput(INPUT));

        await().atMost(PROJECTED).until(() -> eventsCounted("stale") >= stale + 2);
        rest.get()
                .uri("/api/jobs/{id}", jobId)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("SUCCEEDED")
                .jsonPath("$.attempt")
                .isEqualTo(1)
                .jsonPath("$.backend")
                .isEqualTo("onprem")
                .jsonPath("$.outputUri")
                .isEqualTo("s3://results/r.json")
                .jsonPath("$.coldStart")
                .isEqualTo(false)
                .jsonPath("$.input.key")
                .isEqualTo(INPUT.key())
                .jsonPath("$.createdAt")
                .isEqualTo("2025-03-01T10:00:00Z")
                .jsonPath("$.timestamps.RUNNING")
                .isEqualTo("2025-03-01T10:00:00.009Z")
                .jsonPath("$.timestamps.PENDING")
                .isEqualTo("2025-03-01T10:00:00Z");
        rest.get()
                .uri("/api/jobs/{id}/events", jobId)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.events[*].status")
                .value(
                        List.class,
                        statuses ->
                                assertThat(statuses).containsExactly("PENDING", "RUNNABLE", "RUNNING", "SUCCEEDED"));
    }

    @Test
    void aConflictingTerminalStatusDoesNotOverrideTheFirst() {
        String jobId = newJobId();
        publish(event(jobId, JobStatus.SUCCEEDED, 1, 15));
        awaitStatus(jobId, "SUCCEEDED");
        double stale = eventsCounted("stale");

        publish(event(jobId, JobStatus.FAILED, 1, 16).withFailure(FailureReason.TIMEOUT, "too late"));

        await().atMost(PROJECTED).until(() -> eventsCounted("stale") > stale);
        rest.get()
                .uri("/api/jobs/{id}", jobId)
                .exchange()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("SUCCEEDED")
                .jsonPath("$.reason")
                .doesNotExist()
                .jsonPath("$.message")
                .doesNotExist();
    }

    @Test
    void aFailedEventShowsReasonAndMessage() {
        String jobId = newJobId();

        publish(
                event(jobId, JobStatus.PENDING, 1, 0).withInput(INPUT),
                event(jobId, JobStatus.FAILED, 1, 2)
                        .withFailure(
                                FailureReason.INVALID_INPUT,
                                "seven.png is not an image the model can read: unsupported PNG colour type"));

        awaitStatus(jobId, "FAILED");
        rest.get()
                .uri("/api/jobs/{id}", jobId)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.reason")
                .isEqualTo("INVALID_INPUT")
                .jsonPath("$.message")
                .isEqualTo("seven.png is not an image the model can read: unsupported PNG colour type")
                .jsonPath("$.timestamps.FAILED")
                .isEqualTo("2025-03-01T10:00:00.002Z")
                .jsonPath("$.outputUri")
                .doesNotExist();
    }

    @Test
    void aNewAttemptSupersedesTheFailedOne() {
        String jobId = newJobId();
        publish(
                event(jobId, JobStatus.PENDING, 1, 0).withInput(INPUT),
                event(jobId, JobStatus.RUNNABLE, 1, 4).withBackend(Backend.LAMBDA, "cheapest within deadline"),
                event(jobId, JobStatus.RUNNING, 1, 9).withColdStart(true),
                event(jobId, JobStatus.FAILED, 1, 900)
                        .withBackend(Backend.LAMBDA, "cheapest within deadline")
                        .withFailure(FailureReason.TIMEOUT, "Lambda timed out after 900 ms"));
        awaitStatus(jobId, "FAILED");

        publish(event(jobId, JobStatus.RUNNABLE, 2, 905)
                .withBackend(Backend.BATCH, "re-dispatched after Lambda timeout"));

        awaitStatus(jobId, "RUNNABLE");
        rest.get()
                .uri("/api/jobs/{id}", jobId)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.attempt")
                .isEqualTo(2)
                .jsonPath("$.backend")
                .isEqualTo("batch")
                .jsonPath("$.placementReason")
                .isEqualTo("re-dispatched after Lambda timeout")
                .jsonPath("$.reason")
                .doesNotExist()
                .jsonPath("$.message")
                .doesNotExist()
                .jsonPath("$.coldStart")
                .doesNotExist()
                .jsonPath("$.input.key")
                .isEqualTo(INPUT.key())
                .json("""
                        {"timestamps": {"PENDING": "2025-03-01T10:00:00Z", "RUNNABLE": "2025-03-01T10:00:00.905Z"}}
                        """)
                .jsonPath("$.timestamps.RUNNING")
                .doesNotExist();
    }

    @Test
    void listFiltersByModelOwnerAndStatusNewestFirst() {
        String model = "model-" + UUID.randomUUID().toString().substring(0, 8);
        String first = newJobId();
        String second = newJobId();
        String third = newJobId();
        publish(
                JobStatusChanged.of(first, model, "alice", JobStatus.PENDING, 1, T0),
                JobStatusChanged.of(second, model, "bob", JobStatus.PENDING, 1, T0.plusSeconds(1)),
                JobStatusChanged.of(third, model, "alice", JobStatus.PENDING, 1, T0.plusSeconds(2)),
                JobStatusChanged.of(third, model, "alice", JobStatus.FAILED, 1, T0.plusSeconds(3))
                        .withFailure(FailureReason.UNKNOWN_MODEL, "no card for " + model));
        awaitStatus(third, "FAILED");
        awaitStatus(second, "PENDING");
        awaitStatus(first, "PENDING");

        rest.get()
                .uri("/api/jobs?model={m}", model)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.jobs[*].jobId")
                .value(List.class, ids -> assertThat(ids).containsExactly(third, second, first));
        rest.get()
                .uri("/api/jobs?model={m}&owner=alice", model)
                .exchange()
                .expectBody()
                .jsonPath("$.jobs[*].jobId")
                .value(List.class, ids -> assertThat(ids).containsExactly(third, first));
        rest.get()
                .uri("/api/jobs?model={m}&status=pending", model)
                .exchange()
                .expectBody()
                .jsonPath("$.jobs[*].jobId")
                .value(List.class, ids -> assertThat(ids).containsExactly(second, first));
        rest.get()
                .uri("/api/jobs?model={m}&owner=alice&status=FAILED", model)
                .exchange()
                .expectBody()
                .jsonPath("$.jobs[*].jobId")
                .value(List.class, ids -> assertThat(ids).containsExactly(third));
        rest.get()
                .uri("/api/jobs?model={m}&limit=1", model)
                .exchange()
                .expectBody()
                .jsonPath("$.jobs[*].jobId")
                .value(List.class, ids -> assertThat(ids).containsExactly(third));
        rest.get()
                .uri("/api/jobs?model={m}&owner=carol", model)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .json("""
                        {"jobs": []}
                        """);
    }

    private static JobStatusChanged event(String jobId, JobStatus status, int attempt, long millisAfterT0) {
        return JobStatusChanged.of(jobId, "mnist", "alice", status, attempt, T0.plusMillis(millisAfterT0));
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

    private String jobJson(String jobId) {
        return new String(
                rest.get()
                        .uri("/api/jobs/{id}", jobId)
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectBody()
                        .returnResult()
                        .getResponseBody(),
                StandardCharsets.UTF_8);
    }

    /** The projection counter as an operator sees it, through the actuator metrics endpoint. */
    private double eventsCounted(String outcome) {
        byte[] body = management
                .get()
                .uri("/actuator/metrics/infermesh.status.events?tag=outcome:{o}", outcome)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody();
        JsonNode measurements = JSON.readTree(body).get("measurements");
        return measurements.get(0).get("value").asDouble();
    }
}
