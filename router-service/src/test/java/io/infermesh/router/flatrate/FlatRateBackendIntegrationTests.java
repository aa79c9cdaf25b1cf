package io.infermesh.router.flatrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Topics;
import io.infermesh.localinfra.LocalInfra;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.TopicProbe;
import io.infermesh.localinfra.WithLocalInfra;
import io.infermesh.router.RouterServiceApplication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The router on real Kafka with a fourth backend added by one class and its configuration ({@link FlatRateBackend},
 * {@link FlatRateConfiguration}): {@code auto} places a job there when it is the cheapest way to meet the deadline (the
 * on-prem pool charged at the paper's TCO price, AWS off) and hands it the attempt; a model over its limits goes to
 * the pool. What the router publishes is read back from the lifecycle topic, as status-service sees it.
 */
@WithLocalInfra
@SpringBootTest(
        classes = {RouterServiceApplication.class, FlatRateConfiguration.class},
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
            "spring.config.name=router-service",
            "infermesh.router.prices.onprem-usd-per-slot-second=0.0000622"
        })
class FlatRateBackendIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SMALL = "flat-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String LARGE = "large-" + UUID.randomUUID().toString().substring(0, 8);

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) throws IOException {
        LocalInfra infra = LocalInfraExtension.infra();
        infra.kafka()
                .createTopics(
                        3,
                        Topics.JOBS_REQUESTED.name(),
                        Topics.JOBS_LIFECYCLE.name(),
                        Topics.JOBS_RESULTS.name(),
                        Topics.JOBS_REQUESTED.dlq(),
                        Topics.WORKER_POOLS.name(),
                        Topics.dispatch(SMALL).name(),
                        Topics.dispatch(LARGE).name());
        Path models = Files.createTempDirectory("router-models");
        for (var model : Map.of(SMALL, 2048, LARGE, 8192).entrySet()) {
            Files.createDirectories(models.resolve(model.getKey()));
            Files.writeString(models.resolve(model.getKey()).resolve("model.yaml"), """
                    name: %s
                    artifact: model.onnx
                    input: {kind: image, width: 8, height: 8, channels: 1}
                    output: {labels: ["0", "1"]}
                    resources: {maxInputBytes: 1000000, timeoutSeconds: 60, memoryMb: %d, cpus: 1, expectedSeconds: 0.5}
                    placement: {mode: auto, deadlineSeconds: 60}
                    """.formatted(
                            model.getKey(), model.getValue()));
        }
        registry.add(
                "spring.cloud.stream.kafka.binder.brokers", () -> infra.kafka().bootstrapServers());
        registry.add("infermesh.router.models-dir", models::toString);
    }

    @Autowired
    FlatRateBackend flatRate;

    @Test
    void autoHandsAJobToTheAddedBackendWhenItIsTheCheapest() {
        String jobId = UUID.randomUUID().toString();
        request(new JobRequested(jobId, SMALL, "alice", input(SMALL, jobId), Instant.now(), "minio-kafka"));

        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        flatRate.dispatched().stream().anyMatch(j -> j.jobId().equals(jobId)));
        JobDispatched handed = flatRate.dispatched().stream()
                .filter(j -> j.jobId().equals(jobId))
                .findFirst()
                .orElseThrow();
        assertThat(handed.backend())
                .as("no wire value for an added backend (ADR 0023)")
                .isNull();
        assertThat(handed.placementReason())
                .startsWith("auto: the flat-rate test backend is the cheapest backend expected to finish before the"
                        + " deadline");
        assertThat(handed.output())
                .as("a backend other than the pool writes where the router says")
                .isNotNull();

        JobStatusChanged runnable = events(jobId, 1).getFirst();
        assertThat(runnable.status()).isEqualTo(JobStatus.RUNNABLE);
        assertThat(runnable.backend()).isNull();
        assertThat(runnable.placementReason()).isEqualTo(handed.placementReason());
        assertThat(runnable.message()).isEqualTo("handed to the flat-rate backend");
        assertThat(runnable.decision().alternatives())
                .anySatisfy(a -> assertThat(a.note()).startsWith("flat-rate: flat $"));
    }

    @Test
    void aModelOverTheAddedBackendsLimitsRunsOnThePool() {
        String jobId = UUID.randomUUID().toString();
        request(new JobRequested(jobId, LARGE, "alice", input(LARGE, jobId), Instant.now(), "minio-kafka"));

        JobStatusChanged runnable = events(jobId, 1).getFirst();
        assertThat(runnable.backend()).isEqualTo(Backend.ONPREM);
        assertThat(runnable.decision().alternatives())
                .anySatisfy(a -> assertThat(a.note())
                        .isEqualTo("flat-rate: the model needs 8192 MB; the flat-rate backend offers at most 4096 MB"));
        assertThat(flatRate.dispatched()).noneMatch(j -> j.jobId().equals(jobId));
    }

    private static void request(JobRequested job) {
        TopicProbe.send(bootstrap(), Topics.JOBS_REQUESTED.name(), job.jobId(), JSON.writeValueAsBytes(job), Map.of());
    }

    private static List<JobStatusChanged> events(String jobId, int count) {
        List<ConsumerRecord<String, String>> records = TopicProbe.awaitRecords(
                bootstrap(), Topics.JOBS_LIFECYCLE.name(), jobId, r -> r.size() >= count, Duration.ofSeconds(30));
        return records.stream()
                .map(r -> JSON.readValue(r.value(), JobStatusChanged.class))
                .toList();
    }

    private static ObjectRef input(String model, String jobId) {
        return new ObjectRef("inbox", model + "/alice/" + jobId + ".png", null, "e", 100L, "image/png");
    }

    private static String bootstrap() {
        return LocalInfraExtension.infra().kafka().bootstrapServers();
    }
}
