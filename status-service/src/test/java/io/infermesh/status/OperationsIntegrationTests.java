package io.infermesh.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** What operators see: dead letters, health, metrics. */
class OperationsIntegrationTests extends StatusServiceIntegrationTest {

    @Autowired
    private JdbcClient jdbc;

    @Test
    void anEventTheDatabaseRefusesIsDeadLetteredWithItsReasonAndTheRestOfTheBatchIsProjected() {
        String refused = newJobId();
        String others = newJobId();
        String trigger = "refuse_" + refused.replaceAll("[^a-z0-9]", "_");
        // the database refuses this job's events (as it would an event it cannot store), and answers otherwise
        jdbc.sql("CREATE FUNCTION " + trigger + "() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'cannot store this';"
                        + " END $$ LANGUAGE plpgsql")
                .update();
        jdbc.sql("CREATE TRIGGER " + trigger + " BEFORE INSERT ON job_events FOR EACH ROW WHEN (NEW.job_id = '"
                        + refused + "') EXECUTE FUNCTION " + trigger + "()")
                .update();
        try (KafkaConsumer<String, byte[]> dlq = dlqConsumer()) {
            publish(
                    JobStatusChanged.of(refused, "mnist", "alice", JobStatus.PENDING, 1, Instant.now()),
                    JobStatusChanged.of(others, "mnist", "alice", JobStatus.PENDING, 1, Instant.now()),
                    JobStatusChanged.of(others, "mnist", "alice", JobStatus.RUNNABLE, 1, Instant.now()));

            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> rest.get()
                            .uri("/api/jobs/{id}", others)
                            .exchange()
                            .expectStatus()
                            .isOk()
                            .expectBody()
                            .jsonPath("$.status")
                            .isEqualTo("RUNNABLE"));
            List<ConsumerRecord<String, byte[]>> deadLetters = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                dlq.poll(Duration.ofMillis(200)).forEach(deadLetters::add);
                assertThat(deadLetters).extracting(ConsumerRecord::key).contains(refused);
            });
            assertThat(deadLetters)
                    .filteredOn(r -> r.key().equals(refused))
                    .singleElement()
                    .satisfies(r -> assertThat(new String(
                                    r.headers()
                                            .lastHeader("x-exception-message")
                                            .value(),
                                    StandardCharsets.UTF_8))
                            .contains("the job store refuses")
                            .contains("cannot store this"));
        } finally {
            jdbc.sql("DROP TRIGGER " + trigger + " ON job_events").update();
            jdbc.sql("DROP FUNCTION " + trigger + "()").update();
        }
        rest.get().uri("/api/jobs/{id}", refused).exchange().expectStatus().isNotFound();
    }

    @Test
    void aPoisonRecordIsDeadLetteredAndTheNextEventIsStillProjected() {
        String poisonKey = newJobId();
        String poison = "this is not JSON " + UUID.randomUUID();
        String invalidKey = newJobId();
        String invalid = "{\"jobId\": \"" + invalidKey + "\", \"attempt\": 1}";
        String jobId = newJobId();

        try (KafkaConsumer<String, byte[]> dlq = dlqConsumer()) {
            publishRaw(poisonKey, poison.getBytes(StandardCharsets.UTF_8));
            publishRaw(invalidKey, invalid.getBytes(StandardCharsets.UTF_8));
            publish(JobStatusChanged.of(jobId, "mnist", "alice", JobStatus.PENDING, 1, Instant.now()));

            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> rest.get()
                            .uri("/api/jobs/{id}", jobId)
                            .exchange()
                            .expectStatus()
                            .isOk());
            List<ConsumerRecord<String, byte[]>> deadLetters = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                dlq.poll(Duration.ofMillis(200)).forEach(deadLetters::add);
                assertThat(deadLetters).extracting(ConsumerRecord::key).contains(poisonKey, invalidKey);
            });
            assertThat(deadLetters)
                    .filteredOn(r -> r.key().equals(poisonKey))
                    .singleElement()
                    .satisfies(r -> assertThat(new String(r.value(), StandardCharsets.UTF_8))
                            .isEqualTo(poison))
                    .satisfies(r -> assertThat(r.headers().lastHeader("x-exception-message"))
                            .isNotNull());
        }
        rest.get().uri("/api/jobs/{id}", poisonKey).exchange().expectStatus().isNotFound();
        rest.get().uri("/api/jobs/{id}", invalidKey).exchange().expectStatus().isNotFound();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> management
                        .get()
                        .uri("/actuator/metrics/infermesh.status.dead.letters")
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectBody()
                        .jsonPath("$.measurements[0].value")
                        .value(v -> assertThat(((Number) v).doubleValue()).isGreaterThanOrEqualTo(2.0)));
    }

    @Test
    void healthIsUpWithTheDatabaseAndTheKafkaBinder() {
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> management
                        .get()
                        .uri("/actuator/health")
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectBody()
                        .jsonPath("$.status")
                        .isEqualTo("UP")
                        .jsonPath("$.components.db.status")
                        .isEqualTo("UP")
                        .jsonPath("$.components.binders.status")
                        .isEqualTo("UP")
                        .jsonPath("$.components.binders.components.kafka.status")
                        .isEqualTo("UP"));
        management
                .get()
                .uri("/actuator/health/liveness")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("UP");
        management
                .get()
                .uri("/actuator/health/readiness")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo("UP")
                .jsonPath("$.components.db.status")
                .isEqualTo("UP")
                .jsonPath("$.components.binders.status")
                .isEqualTo("UP");
    }

    @Test
    void prometheusExposesTheProjectionCounters() {
        String jobId = newJobId();
        publish(JobStatusChanged.of(jobId, "mnist", "alice", JobStatus.PENDING, 1, Instant.now()));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> rest.get()
                        .uri("/api/jobs/{id}", jobId)
                        .exchange()
                        .expectStatus()
                        .isOk());

        String scrape = new String(
                management
                        .get()
                        .uri("/actuator/prometheus")
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectBody()
                        .returnResult()
                        .getResponseBody(),
                StandardCharsets.UTF_8);

        assertThat(scrape)
                .containsPattern(
                        "infermesh_status_events_total\\{[^}]*outcome=\"applied\"[^}]*status=\"PENDING\"[^}]*} [1-9]")
                .contains("outcome=\"duplicate\"")
                .contains("outcome=\"stale\"")
                .contains("service=\"status-service\"");
    }

    @Test
    void infoNamesTheServiceAndItsBuild() {
        management
                .get()
                .uri("/actuator/info")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.app.name")
                .isEqualTo("status-service")
                .jsonPath("$.build.artifact")
                .isEqualTo("status-service");
    }

    private static KafkaConsumer<String, byte[]> dlqConsumer() {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "dlq-reader-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new StringDeserializer(),
                new ByteArrayDeserializer());
        consumer.subscribe(List.of(DLQ));
        return consumer;
    }
}
