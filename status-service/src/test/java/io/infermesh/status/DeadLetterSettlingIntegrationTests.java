package io.infermesh.status;

import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.localinfra.TopicProbe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** A job whose request or dispatch was dead-lettered does not stay PENDING or RUNNABLE: it ends FAILED, saying why. */
class DeadLetterSettlingIntegrationTests extends StatusServiceIntegrationTest {

    @Test
    void aJobWhoseRequestWasDeadLetteredEndsFailedSayingWhereAndWhy() {
        String jobId = newJobId();
        publish(JobStatusChanged.of(jobId, "digits", "alice", JobStatus.PENDING, 1, Instant.now())
                .withInput(ObjectRef.of("infermesh", "inbox/digits/alice/a.png")));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> rest.get()
                        .uri("/api/jobs/{id}", jobId)
                        .exchange()
                        .expectStatus()
                        .isOk());

        TopicProbe.send(
                bootstrapServers(),
                "infermesh.jobs.requested.dlq",
                jobId,
                "{not json".getBytes(StandardCharsets.UTF_8),
                Map.of("x-exception-message", "Unexpected character"));

        await().atMost(Duration.ofSeconds(40))
                .untilAsserted(() -> rest.get()
                        .uri("/api/jobs/{id}", jobId)
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectBody()
                        .jsonPath("$.status")
                        .isEqualTo("FAILED")
                        .jsonPath("$.reason")
                        .isEqualTo("DEAD_LETTERED")
                        .jsonPath("$.model")
                        .isEqualTo("digits")
                        .jsonPath("$.message")
                        .value(
                                String.class,
                                message -> Assertions.assertThat(message)
                                        .contains("infermesh.jobs.requested.dlq")
                                        .contains("Unexpected character")));
    }
}
