package io.infermesh.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ModelCatalogue;
import io.infermesh.events.JobEventSender;
import io.infermesh.status.housekeeping.Reaper;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The reaper's choice of jobs, with the clock in its hands: each test dates its jobs in an era of its own, long before
 * anything else in the shared database, and sweeps "at" a chosen instant of that era. The real catalogue gives digits
 * 60 s; a model without a card gets the default 15 min; both get 5 min of grace.
 */
class ReaperIntegrationTests extends StatusServiceIntegrationTest {

    private static final ModelCatalogue CATALOGUE = ModelCatalogue.load(Path.of("../models"), "test");

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private TransactionTemplate transactions;

    @Autowired
    private StreamBridge bridge;

    @Autowired
    private JsonMapper json;

    @Test
    void jobsOfPatientModelsNeverCrowdOutAnOverdueOne() {
        Instant era = Instant.parse("1970-01-01T00:00:00Z");
        List<String> patient = List.of(newJobId(), newJobId(), newJobId());
        String overdue = newJobId();
        // the oldest open jobs belong to a model allowed 20 min; ten minutes on they are still fine...
        patient.forEach(id -> publish(running(id, "unknown-model", era)));
        // ...while a younger digits job (6 min) is overdue; a sweep of two must still reach it
        publish(running(overdue, "digits", era.plus(Duration.ofMinutes(1))));
        awaitProjected(overdue);
        patient.forEach(this::awaitProjected);

        List<JobStatusChanged> settled = reaper(Duration.ZERO, 2).sweep(era.plus(Duration.ofMinutes(10)));

        assertThat(settled).extracting(JobStatusChanged::jobId).containsExactly(overdue);
    }

    @Test
    void aJobTheProjectionHasJustHeardOfIsNotSettledWhateverItsEventTimeSays() {
        // as after an outage: the backlog brings a RUNNING from long ago; its SUCCEEDED may be a few records on
        Instant era = Instant.parse("1985-01-01T00:00:00Z");
        String jobId = newJobId();
        publish(running(jobId, "digits", era));
        awaitProjected(jobId);
        Instant anHourLater = era.plus(Duration.ofHours(1));

        assertThat(reaper(Duration.ofHours(1), 500).sweep(anHourLater))
                .extracting(JobStatusChanged::jobId)
                .doesNotContain(jobId);

        assertThat(reaper(Duration.ZERO, 500).sweep(anHourLater))
                .extracting(JobStatusChanged::jobId)
                .contains(jobId);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> rest.get()
                        .uri("/api/jobs/{id}", jobId)
                        .exchange()
                        .expectBody(String.class)
                        .returnResult()
                        .getResponseBody()
                        .contains("\"STUCK\""));
    }

    private Reaper reaper(Duration quiet, int batchSize) {
        return new Reaper(
                jdbc,
                transactions,
                new JobEventSender(bridge, json, "status-service"),
                CATALOGUE,
                Duration.ofMinutes(5),
                Duration.ofMinutes(15),
                quiet,
                batchSize);
    }

    private void awaitProjected(String jobId) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> rest.get()
                                .uri("/api/jobs/{id}", jobId)
                                .exchange()
                                .expectBody(String.class)
                                .returnResult()
                                .getStatus()
                                .value()
                        == 200);
    }

    private static JobStatusChanged running(String jobId, String model, Instant at) {
        return JobStatusChanged.of(jobId, model, "alice", JobStatus.RUNNING, 1, at)
                .withBackend(Backend.ONPREM, null);
    }
}
