package io.infermesh.router.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.PlacementDecision;
import io.infermesh.contracts.PoolState;
import io.infermesh.contracts.PoolStatus;
import io.infermesh.contracts.Topics;
import io.infermesh.localinfra.LocalInfra;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.TopicProbe;
import io.infermesh.localinfra.WithLocalInfra;
import io.infermesh.router.RouterServiceApplication;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The router on real Kafka reading what the worker pools publish on {@code infermesh.workers.pools}, seen where a
 * user sees it: the on-prem alternative of an {@code auto} job's RUNNABLE decision (slots, warm or cold start,
 * expected time). AWS is off, so every job goes on-prem and the decision shows the on-prem estimate.
 */
@WithLocalInfra
@SpringBootTest(
        classes = RouterServiceApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = "spring.config.name=router-service")
class PoolStatusPlacementIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    /** Two worker instances, both pools at zero, then one loads the model. */
    private static final String WAKING = "waking-" + SUFFIX;
    /** Reported only by a status older than the staleness limit. */
    private static final String STALE = "stale-" + SUFFIX;
    /** Reported after malformed records. */
    private static final String AFTER_BAD = "afterbad-" + SUFFIX;
    /** Reported before the router started. */
    private static final String EARLY = "early-" + SUFFIX;

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
                        Topics.dispatch(WAKING).name(),
                        Topics.dispatch(STALE).name(),
                        Topics.dispatch(AFTER_BAD).name(),
                        Topics.dispatch(EARLY).name());
        Path models = Files.createTempDirectory("router-models");
        for (String model : new String[] {WAKING, STALE, AFTER_BAD, EARLY}) {
            card(models, model);
        }
        // a worker already running when the router starts: its last report must be known without waiting for the next
        publish(new PoolStatus(EARLY, "worker-a", PoolState.ACTIVE, 2, 6, 0, 0, true, 40L, Instant.now()));
        registry.add(
                "spring.cloud.stream.kafka.binder.brokers", () -> infra.kafka().bootstrapServers());
        registry.add("infermesh.router.models-dir", models::toString);
        // generous, so that the report published before start-up is still fresh however slowly the context starts
        registry.add("infermesh.router.pools.staleness", () -> "60s");
    }

    private static void card(Path models, String name) throws IOException {
        Files.createDirectories(models.resolve(name));
        Files.writeString(models.resolve(name).resolve("model.yaml"), """
                name: %s
                artifact: model.onnx
                input: {kind: image, width: 8, height: 8, channels: 1}
                output: {labels: ["0", "1"]}
                resources: {maxInputBytes: 1000000, timeoutSeconds: 60, memoryMb: 2048, cpus: 1, expectedSeconds: 0.5}
                placement: {mode: auto, deadlineSeconds: 60}
                """.formatted(name));
    }

    @Autowired
    MeterRegistry meters;

    @Test
    void anAutoJobCountsEveryInstancesSlotsAndPaysTheMeasuredColdStartUntilAPoolHasTheModelLoaded() {
        double accepted = count("accepted");
        publish(new PoolStatus(WAKING, "worker-a", PoolState.ZERO, 0, 4, 0, 0, false, 2_000L, Instant.now()));
        publish(new PoolStatus(WAKING, "worker-b", PoolState.ZERO, 0, 4, 0, 0, false, 300L, Instant.now()));
        await().atMost(Duration.ofSeconds(30)).until(() -> count("accepted") >= accepted + 2);

        PlacementDecision.Alternative cold = onprem(place(WAKING));
        assertThat(cold.note()).contains("on 8 slots").contains("cold start 2.50 s");
        assertThat(cold.expectedSeconds())
                .as("run 0.5 s + slowest measured wake 2.0 s + model load 0.5 s")
                .isEqualTo(3.0);

        publish(new PoolStatus(WAKING, "worker-a", PoolState.ACTIVE, 1, 4, 0, 0, true, 2_000L, Instant.now()));
        await().atMost(Duration.ofSeconds(30)).until(() -> count("accepted") >= accepted + 3);

        PlacementDecision.Alternative warm = onprem(place(WAKING));
        assertThat(warm.note()).contains("on 8 slots").contains("warm").doesNotContain("cold start");
        assertThat(warm.expectedSeconds())
                .as("one job ahead on 8 slots: no wait, no cold start")
                .isEqualTo(0.5);
    }

    @Test
    void malformedAndStaleReportsAreSkippedAndTheReportsAfterThemStillCount() {
        double accepted = count("accepted");
        double malformed = count("malformed");
        double stale = count("stale");
        TopicProbe.send(
                bootstrap(),
                Topics.WORKER_POOLS.name(),
                AFTER_BAD + "/worker-x",
                "{not json".getBytes(StandardCharsets.UTF_8),
                Map.of());
        String unknownState = JSON.writeValueAsString(
                        new PoolStatus(AFTER_BAD, "worker-y", PoolState.ACTIVE, 1, 12, 0, 0, true, null, Instant.now()))
                .replace("\"ACTIVE\"", "\"SLEEPING\"");
        TopicProbe.send(
                bootstrap(),
                Topics.WORKER_POOLS.name(),
                AFTER_BAD + "/worker-y",
                unknownState.getBytes(StandardCharsets.UTF_8),
                CloudEventTypes.headers(
                        "y", CloudEventTypes.POOL_STATUS, "worker-service", AFTER_BAD + "/worker-y", Instant.now()));
        PoolStatus foreign =
                new PoolStatus(AFTER_BAD, "worker-x", PoolState.ACTIVE, 1, 12, 0, 0, true, null, Instant.now());
        TopicProbe.send(
                bootstrap(),
                Topics.WORKER_POOLS.name(),
                AFTER_BAD + "/worker-x",
                JSON.writeValueAsBytes(foreign),
                CloudEventTypes.headers(
                        "x", CloudEventTypes.JOB_RESULT, "worker-service", AFTER_BAD + "/worker-x", Instant.now()));
        publish(new PoolStatus(
                STALE,
                "worker-a",
                PoolState.ACTIVE,
                2,
                16,
                0,
                0,
                true,
                40L,
                Instant.now().minus(Duration.ofMinutes(5))));
        publish(new PoolStatus(AFTER_BAD, "worker-a", PoolState.ACTIVE, 1, 3, 0, 0, true, null, Instant.now()));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> count("accepted") >= accepted + 1
                        && count("malformed") >= malformed + 3
                        && count("stale") >= stale + 1);

        PlacementDecision.Alternative reported = onprem(place(AFTER_BAD));
        assertThat(reported.note()).contains("on 3 slots").contains("warm");

        PlacementDecision.Alternative unreported = onprem(place(STALE));
        assertThat(unreported.note())
                .as("the stale report is ignored: configured slots and cold start")
                .contains("on 2 slots")
                .contains("cold start 1.00 s");
    }

    @Test
    void aReportPublishedBeforeTheRouterStartedIsRead() {
        // placed until the report shows; a router reading only new records would never see it
        PlacementDecision.Alternative early = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> onprem(place(EARLY)), a -> a.note().contains("on 6 slots"));
        assertThat(early.note()).contains("warm");
    }

    /** Requests one job of {@code model} and returns its RUNNABLE event. */
    private static JobStatusChanged place(String model) {
        String jobId = UUID.randomUUID().toString();
        JobRequested job = new JobRequested(
                jobId,
                model,
                "alice",
                new ObjectRef("inbox", model + "/alice/" + jobId + ".png", null, "e", 100L, "image/png"),
                Instant.now(),
                "test");
        TopicProbe.send(bootstrap(), Topics.JOBS_REQUESTED.name(), jobId, JSON.writeValueAsBytes(job), Map.of());
        return TopicProbe.awaitRecords(
                        bootstrap(),
                        Topics.JOBS_LIFECYCLE.name(),
                        jobId,
                        r -> r.stream().anyMatch(e -> parse(e.value()).status() == JobStatus.RUNNABLE),
                        Duration.ofSeconds(30))
                .stream()
                .map(r -> parse(r.value()))
                .filter(e -> e.status() == JobStatus.RUNNABLE)
                .findFirst()
                .orElseThrow();
    }

    private static PlacementDecision.Alternative onprem(JobStatusChanged runnable) {
        assertThat(runnable.backend()).isEqualTo(Backend.ONPREM);
        return runnable.decision().alternatives().stream()
                .filter(a -> a.backend() == Backend.ONPREM)
                .findFirst()
                .orElseThrow();
    }

    /** As worker-service publishes it: JSON, key {@code <model>/<instance>}, CloudEvents headers. */
    private static void publish(PoolStatus status) {
        String key = status.model() + "/" + status.instance();
        TopicProbe.send(
                bootstrap(),
                Topics.WORKER_POOLS.name(),
                key,
                JSON.writeValueAsBytes(status),
                CloudEventTypes.headers(
                        key + "@" + status.at().toEpochMilli(),
                        CloudEventTypes.POOL_STATUS,
                        "worker-service",
                        key,
                        status.at()));
    }

    private static JobStatusChanged parse(String value) {
        return JSON.readValue(value, JobStatusChanged.class);
    }

    private double count(String outcome) {
        var counter = meters.find("infermesh.router.pool_statuses")
                .tag("outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private static String bootstrap() {
        return LocalInfraExtension.infra().kafka().bootstrapServers();
    }
}
