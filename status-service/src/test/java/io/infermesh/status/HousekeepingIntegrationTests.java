package io.infermesh.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.localinfra.TopicProbe;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The reaper and retention on real Kafka and PostgreSQL. Events are dated in the past (as if the mesh had been
 * silent for a while) so nothing waits on the clock; the limits are the real defaults: a model's
 * {@code timeoutSeconds} from the repository's catalogue (digits: 60 s) or 15 min, plus 5 min of grace.
 */
@TestPropertySource(
        properties = {
            "infermesh.status.models-dir=../models",
            "infermesh.status.reaper.interval=200ms",
            "infermesh.status.reaper.quiet=1s",
            "infermesh.status.retention.days=30",
            "infermesh.status.retention.interval=200ms"
        })
class HousekeepingIntegrationTests extends StatusServiceIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void aJobWithoutProgressPastItsModelsTimeoutAndGraceIsSettledStuckForEveryone() {
        Instant tenMinutesAgo = Instant.now().minus(Duration.ofMinutes(10));
        String stuck = newJobId();
        String patient = newJobId();
        String fresh = newJobId();
        // digits allows 60 s + 5 min of grace: ten minutes without progress is too long
        publish(running(stuck, "digits", tenMinutesAgo));
        // a model without a card gets 15 min + 5 min: ten minutes is still fine
        publish(running(patient, "unknown-model", tenMinutesAgo));
        publish(running(fresh, "digits", Instant.now()));

        JsonNode settled =
                awaitJob(stuck, job -> "FAILED".equals(job.get("status").asString()));
        assertThat(settled.get("reason").asString()).isEqualTo("STUCK");
        assertThat(settled.get("message").asString())
                .contains("timed out in RUNNING")
                .contains("60 s")
                .contains("5 min of grace");
        assertThat(settled.get("backend").asString()).isEqualTo("onprem");

        // the settlement is a lifecycle event, not a private update: every consumer sees it
        var published = TopicProbe.awaitRecords(
                bootstrapServers(),
                LIFECYCLE,
                stuck,
                records -> records.stream().anyMatch(r -> r.value().contains("STUCK")),
                Duration.ofSeconds(30));
        assertThat(TopicProbe.header(published.getLast(), "ce_source")).contains("status-service");

        // the reaper has swept since the other two were stored; they are left alone
        assertThat(job(patient).get("status").asString()).isEqualTo("RUNNING");
        assertThat(job(fresh).get("status").asString()).isEqualTo("RUNNING");
    }

    @Test
    void aSettledJobThatReportsLaterStaysSettledAndALaterAttemptStillCounts() {
        String jobId = newJobId();
        publish(running(jobId, "digits", Instant.now().minus(Duration.ofHours(1))));
        awaitJob(jobId, job -> "STUCK".equals(text(job, "reason")));

        // attempt 2 (a re-dispatch) moves the job forward again
        publish(JobStatusChanged.of(jobId, "digits", "alice", JobStatus.RUNNABLE, 2, Instant.now())
                .withBackend(Backend.BATCH, "re-dispatched"));
        JsonNode job = awaitJob(jobId, j -> j.get("attempt").asInt() == 2);
        assertThat(job.get("status").asString()).isEqualTo("RUNNABLE");
    }

    @Test
    void terminalJobsOlderThanTheRetentionAreDeletedWithTheirHistoryAndOthersAreKept() {
        String old = newJobId();
        String recent = newJobId();
        String openButOld = newJobId();
        Instant fortyDaysAgo = Instant.now().minus(Duration.ofDays(40));
        // SUCCEEDED first: the job is never open, so the reaper cannot settle it between the two
        publish(
                JobStatusChanged.of(old, "digits", "alice", JobStatus.SUCCEEDED, 1, fortyDaysAgo)
                        .withBackend(Backend.ONPREM, null),
                JobStatusChanged.of(old, "digits", "alice", JobStatus.PENDING, 1, fortyDaysAgo)
                        .withInput(ObjectRef.of("inbox", "digits/alice/a.png")));
        publish(JobStatusChanged.of(recent, "digits", "alice", JobStatus.SUCCEEDED, 1, Instant.now())
                .withBackend(Backend.ONPREM, null));
        // an open job is never purged, however old: the reaper settles it, and it is kept as a young FAILED job
        publish(running(openButOld, "unknown-model", fortyDaysAgo));

        awaitJob(recent, job -> "SUCCEEDED".equals(job.get("status").asString()));
        await().atMost(Duration.ofSeconds(30)).until(() -> status(old) == 404);
        assertThat(rest.get()
                        .uri("/api/jobs/{id}/events", old)
                        .exchange()
                        .expectBody(String.class)
                        .returnResult()
                        .getStatus()
                        .value())
                .isEqualTo(404);
        assertThat(status(recent)).isEqualTo(200);
        // the PENDING published after the SUCCEEDED may have landed after the purge: a purged job stays purged, and
        // so it does when its history is replayed
        publish(JobStatusChanged.of(old, "digits", "alice", JobStatus.RUNNING, 1, fortyDaysAgo)
                .withBackend(Backend.ONPREM, null));
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5)).until(() -> status(old) == 404);
        assertThat(awaitJob(openButOld, job -> "FAILED".equals(job.get("status").asString()))
                        .get("reason")
                        .asString())
                .isEqualTo("STUCK");
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5)).until(() -> status(openButOld) == 200);
    }

    private static JobStatusChanged running(String jobId, String model, Instant at) {
        return JobStatusChanged.of(jobId, model, "alice", JobStatus.RUNNING, 1, at)
                .withBackend(Backend.ONPREM, null);
    }

    private JsonNode awaitJob(String jobId, Predicate<JsonNode> done) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            if (status(jobId) != 200) {
                return false;
            }
            last[0] = job(jobId);
            return done.test(last[0]);
        });
        return last[0];
    }

    private JsonNode job(String jobId) {
        return JSON.readTree(rest.get()
                .uri("/api/jobs/{id}", jobId)
                .exchange()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody());
    }

    private int status(String jobId) {
        return rest.get()
                .uri("/api/jobs/{id}", jobId)
                .exchange()
                .expectBody(String.class)
                .returnResult()
                .getStatus()
                .value();
    }

    private static String text(JsonNode node, String field) {
        return node.get(field) == null || node.get(field).isNull()
                ? null
                : node.get(field).asString();
    }
}
