package io.infermesh.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.localinfra.LocalPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 13: with PostgreSQL gone, the API answers at once — 503, a Retry-After and a sentence — rather than hanging
 * for the connection pool's 30 s; the lifecycle keeps flowing meanwhile, and once PostgreSQL is back the projection
 * catches up and the API serves again. The service gets a PostgreSQL of its own here, so that stopping it touches no
 * other test.
 */
class DatabaseOutageIntegrationTests extends StatusServiceIntegrationTest {

    private static final Path DATA = dataDir();
    private static final int PORT = freePort();
    private static LocalPostgres postgres;

    /** Hikari's own settings bind over {@code spring.datasource.*}, which the shared base class sets to local-infra's. */
    @DynamicPropertySource
    static void ownDatabase(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.hikari.jdbc-url", () -> database().jdbcUrl());
        registry.add("spring.datasource.hikari.username", () -> database().username());
        registry.add("spring.datasource.hikari.password", () -> database().password());
    }

    private static synchronized LocalPostgres database() {
        if (postgres == null || postgres.isClosed()) {
            postgres = LocalPostgres.start(PORT, DATA);
        }
        return postgres;
    }

    @AfterAll
    static void stopDatabase() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void whilePostgresIsDownTheApiAnswers503AtOnceAndAfterwardsTheJobsEventsAreThere() {
        String before = newJobId();
        publish(event(before, JobStatus.PENDING));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> rest.get()
                        .uri("/api/jobs/{id}", before)
                        .exchange()
                        .expectStatus()
                        .isOk());

        database().close();
        String during = newJobId();
        publish(event(during, JobStatus.PENDING));

        assertTimeoutPreemptively(
                Duration.ofSeconds(15),
                () -> rest.get()
                        .uri("/api/jobs/{id}", before)
                        .exchange()
                        .expectStatus()
                        .isEqualTo(503)
                        .expectHeader()
                        .valueEquals("Retry-After", "5")
                        .expectHeader()
                        .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                        .expectBody()
                        .jsonPath("$.title")
                        .isEqualTo("Job store unavailable")
                        .jsonPath("$.detail")
                        .value(
                                String.class,
                                detail -> assertThat(detail)
                                        .startsWith("the job store (PostgreSQL) cannot be reached right now")
                                        .doesNotContain("PSQL", "Hikari", "jdbc:", "Exception")),
                "the API must answer while PostgreSQL is down, not wait for it");
        assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
            byte[] refused = anonymous
                    .get()
                    .uri("/api/jobs/{id}", before)
                    .exchange()
                    .expectStatus()
                    .isUnauthorized()
                    .expectBody()
                    .returnResult()
                    .getResponseBody();
            assertThat(refused == null ? "" : new String(refused))
                    .as("without a token: refused before the store is asked, and nothing of the job shown")
                    .doesNotContain(before, "alice", "PostgreSQL");
        });

        database();
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> rest.get()
                        .uri("/api/jobs/{id}", during)
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectBody()
                        .jsonPath("$.status")
                        .isEqualTo("PENDING"));
    }

    private static JobStatusChanged event(String jobId, JobStatus status) {
        return JobStatusChanged.of(jobId, "mnist", "alice", status, 1, Instant.now())
                .withInput(ObjectRef.of("inbox", "mnist/alice/" + jobId + ".png"));
    }

    private static Path dataDir() {
        try {
            return Files.createTempDirectory("status-outage-postgres");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
