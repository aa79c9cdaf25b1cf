package io.infermesh.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.PoolState;
import io.infermesh.contracts.PoolStatus;
import io.infermesh.contracts.Topics;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.WithLocalInfra;
import io.infermesh.worker.pool.Pools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;

/**
 * The model pools on real Kafka, S3 and ONNX Runtime: scale to zero and back, micro-batching, the per-job time limit
 * and a graceful drain, as the router (dispatching) and a subscriber (reading the lifecycle) see them.
 */
@WithLocalInfra
class ModelPoolIntegrationTests {

    static final String BUCKET = "pool-tests";
    final List<ConfigurableApplicationContext> workers = new ArrayList<>();
    S3Client s3;

    @BeforeEach
    void bucket() {
        LocalInfraExtension.infra().s3().createBucket(BUCKET);
        s3 = WorkerKafka.s3();
    }

    @AfterEach
    void stop() {
        workers.forEach(ConfigurableApplicationContext::close);
        s3.close();
    }

    private Pools startWorker(String... extra) {
        List<String> args = new ArrayList<>(List.of(WorkerKafka.properties("")));
        args.add("server.port=0");
        for (String setting : extra) {
            String key = setting.substring(0, setting.indexOf('=') + 1);
            args.removeIf(a -> a.startsWith(key));
            args.add(setting);
        }
        ConfigurableApplicationContext worker = WorkerServiceApplication.builder()
                .run(args.stream().map(a -> "--" + a).toArray(String[]::new));
        workers.add(worker);
        return worker.getBean(Pools.class);
    }

    private static PoolStatus pool(Pools pools, String model) {
        return pools.status().stream()
                .filter(p -> p.model().equals(model))
                .findFirst()
                .orElseThrow();
    }

    private ObjectRef upload(String key, byte[] bytes) {
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(bytes));
        return new ObjectRef(BUCKET, key, null, null, (long) bytes.length, null);
    }

    private ObjectRef digit(int n) throws Exception {
        return upload(
                "inbox/digits/alice/" + UUID.randomUUID() + ".png",
                Files.readAllBytes(Path.of("../models/digits/samples/digit-" + n + ".png")));
    }

    private static JsonNode terminal(JobDispatched job) {
        var lifecycle = WorkerKafka.awaitRecords(
                Topics.JOBS_LIFECYCLE.name(),
                job.jobId(),
                found -> found.stream()
                        .anyMatch(r ->
                                r.value().contains("\"SUCCEEDED\"") || r.value().contains("\"FAILED\"")));
        return lifecycle.stream()
                .map(r -> WorkerKafka.JSON.readTree(r.value()))
                .filter(e ->
                        List.of("SUCCEEDED", "FAILED").contains(e.get("status").asString()))
                .findFirst()
                .orElseThrow();
    }

    private static int groupMembers() throws Exception {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                LocalInfraExtension.infra().kafka().bootstrapServers()))) {
            return admin.describeConsumerGroups(List.of(Pools.GROUP))
                    .all()
                    .get()
                    .get(Pools.GROUP)
                    .members()
                    .size();
        }
    }

    @Test
    void aPoolAtZeroWakesForAJobAndGoesBackToZeroAfterItsIdleTimeout() throws Exception {
        Pools pools = startWorker("infermesh.worker.pool.idle-timeout=1s");
        assertThat(pool(pools, "digits"))
                .extracting(PoolStatus::state, PoolStatus::workers, PoolStatus::loaded)
                .containsExactly(PoolState.ZERO, 0, false);

        JsonNode first = terminal(WorkerKafka.dispatch("digits", "alice", digit(3)));

        assertThat(first.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(first.get("predictions").get(0).get("label").asString()).isEqualTo("3");
        assertThat(first.get("coldStart").asBoolean())
                .as("the job woke the pool")
                .isTrue();
        JsonNode phases = first.get("timings");
        assertThat(phases.has("wakeMs")).isTrue();
        assertThat(phases.has("modelLoadMs")).isTrue();
        assertThat(phases.has("warmupMs")).isTrue();
        assertThat(pool(pools, "digits").lastWakeMs())
                .isEqualTo(phases.get("wakeMs").asLong());

        // idle for a second: the worker leaves the group and the session is closed
        await().atMost(Duration.ofSeconds(20))
                .until(() -> pool(pools, "digits").state().equals(PoolState.ZERO));
        assertThat(pool(pools, "digits").loaded()).as("model released").isFalse();
        await().atMost(Duration.ofSeconds(20)).until(() -> groupMembers() == 0);

        JsonNode second = terminal(WorkerKafka.dispatch("digits", "alice", digit(7)));
        assertThat(second.get("predictions").get(0).get("label").asString()).isEqualTo("7");
        assertThat(second.get("coldStart").asBoolean())
                .as("woken again from zero")
                .isTrue();
    }

    @Test
    void aModelLoadedByARestRequestWhileThePoolIsAtZeroLeavesMemoryAfterTheIdleTimeout() throws Exception {
        Pools pools = startWorker("infermesh.worker.pool.idle-timeout=1s", TestIssuer.issuerUriSetting());
        String port = workers.getLast().getEnvironment().getProperty("local.server.port");
        var response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/models/iris/predict"))
                                .header("Content-Type", "application/json")
                                .header(
                                        "Authorization",
                                        "Bearer " + TestIssuer.provider().userToken("alice"))
                                .POST(HttpRequest.BodyPublishers.ofFile(
                                        Path.of("../models/iris/samples/virginica.json")))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("virginica");
        assertThat(pool(pools, "iris").loaded()).isTrue();

        await().atMost(Duration.ofSeconds(20)).until(() -> !pool(pools, "iris").loaded());
        assertThat(pool(pools, "iris").state()).isEqualTo(PoolState.ZERO);
    }

    @Test
    void severalWaitingJobsOfOneModelRunAsOneBatch() throws Exception {
        Pools pools = startWorker("infermesh.worker.pool.batch-max-wait=200ms");
        // all six are waiting before the pool wakes: its first worker takes them together
        List<JobDispatched> jobs = new ArrayList<>();
        for (int n : List.of(0, 1, 2, 3, 4, 5)) {
            jobs.add(WorkerKafka.dispatch("digits", "alice", digit(n)));
        }

        List<JsonNode> done =
                jobs.stream().map(ModelPoolIntegrationTests::terminal).toList();

        for (int n = 0; n < 6; n++) {
            assertThat(done.get(n).get("status").asString()).isEqualTo("SUCCEEDED");
            assertThat(done.get(n).get("predictions").get(0).get("label").asString())
                    .isEqualTo(String.valueOf(n));
        }
        assertThat(done)
                .extracting(e -> e.get("timings").get("batchSize").asInt())
                .as("jobs per model invocation")
                .anyMatch(size -> size >= 2);
    }

    @Test
    void theFraudPipelineGivesThroughKafkaWhatPythonComputedEvenWhenItsJobsShareABatch() throws Exception {
        startWorker("infermesh.worker.pool.batch-max-wait=200ms");
        List<String> samples = List.of("legit.json", "suspicious.json", "batch.json", "transactions.csv");
        List<JobDispatched> jobs = new ArrayList<>();
        for (String sample : samples) {
            jobs.add(WorkerKafka.dispatch(
                    "fraud",
                    "alice",
                    upload(
                            "inbox/fraud/alice/" + UUID.randomUUID() + "-" + sample,
                            Files.readAllBytes(FraudSamples.DIR.resolve(sample)))));
        }
        for (int i = 0; i < samples.size(); i++) {
            JsonNode done = terminal(jobs.get(i));
            assertThat(done.get("status").asString()).as(samples.get(i)).isEqualTo("SUCCEEDED");
            String key = done.get("output").get("key").asString();
            JsonNode result = WorkerKafka.JSON.readTree(
                    s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray());
            FraudSamples.assertAnswerMatches(result, samples.get(i));
        }
    }

    @Test
    void aSlowJobTimesOutAsFailedWhileTheOthersComplete() {
        startWorker(
                "infermesh.worker.models-dir=src/test/resources/test-models",
                "infermesh.worker.pool.batch-max-wait=200ms");
        // the test model "spin" does spin x 1000 matrix products; its card allows 1 s
        JobDispatched slow = WorkerKafka.dispatch(
                "spin",
                "alice",
                upload("inbox/spin/alice/slow.json", "{\"spin\": 1000, \"x\": 1}".getBytes(StandardCharsets.UTF_8)));
        List<JobDispatched> fast = IntStream.range(0, 3)
                .mapToObj(i -> WorkerKafka.dispatch(
                        "spin",
                        "alice",
                        upload(
                                "inbox/spin/alice/fast-" + i + ".json",
                                ("{\"spin\": 0, \"x\": " + (i + 1) + "}").getBytes(StandardCharsets.UTF_8))))
                .toList();

        JsonNode failed = terminal(slow);
        assertThat(failed.get("status").asString()).isEqualTo("FAILED");
        assertThat(failed.get("reason").asString()).isEqualTo("TIMEOUT");
        assertThat(failed.get("message").asString()).contains("longer than model 'spin' allows (1 s");
        for (JobDispatched job : fast) {
            JsonNode ok = terminal(job);
            assertThat(ok.get("status").asString()).isEqualTo("SUCCEEDED");
            assertThat(ok.get("predictions").get(0).get("label").asString()).isEqualTo("positive");
        }
    }

    @Test
    void aModelThatCannotLoadFailsItsJobsWithThatReasonAndThePoolCarriesOn() {
        Pools pools = startWorker("infermesh.worker.models-dir=src/test/resources/test-models");
        List<JobDispatched> jobs = IntStream.range(0, 3)
                .mapToObj(i -> WorkerKafka.dispatch(
                        "broken",
                        "alice",
                        upload(
                                "inbox/broken/alice/" + i + ".json",
                                "{\"spin\": 0, \"x\": 1}".getBytes(StandardCharsets.UTF_8))))
                .toList();

        for (JobDispatched job : jobs) {
            JsonNode failed = terminal(job);
            assertThat(failed.get("status").asString()).isEqualTo("FAILED");
            assertThat(failed.get("reason").asString()).isEqualTo("MODEL_ERROR");
            assertThat(failed.get("message").asString()).contains("cannot load model 'broken'");
        }
        // the pool is still there for the next job of another model
        JsonNode ok = terminal(WorkerKafka.dispatch(
                "spin",
                "alice",
                upload("inbox/spin/alice/after.json", "{\"spin\": 0, \"x\": -2}".getBytes(StandardCharsets.UTF_8))));
        assertThat(ok.get("predictions").get(0).get("label").asString()).isEqualTo("negative");
        assertThat(pool(pools, "broken").loaded()).isFalse();
    }

    @Test
    void aWorkerStoppedMidwayFinishesWhatItHoldsAndLosesNoJob() throws Exception {
        startWorker("infermesh.worker.pool.batch-max-size=2");
        List<JobDispatched> jobs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            jobs.add(WorkerKafka.dispatch("digits", "alice", digit(i)));
        }
        WorkerKafka.awaitRecords(
                Topics.JOBS_LIFECYCLE.name(),
                jobs.getFirst().jobId(),
                found -> found.stream().anyMatch(r -> r.value().contains("\"SUCCEEDED\"")));

        workers.removeFirst().close(); // graceful: finishes its batch, commits, leaves the group
        startWorker();

        for (int i = 0; i < 10; i++) {
            List<ConsumerRecord<String, String>> events = WorkerKafka.awaitRecords(
                    Topics.JOBS_LIFECYCLE.name(),
                    jobs.get(i).jobId(),
                    found -> found.stream().anyMatch(r -> r.value().contains("\"SUCCEEDED\"")));
            assertThat(events).as("job %d", i).noneMatch(r -> r.value().contains("\"FAILED\""));
            assertThat(events)
                    .as("job %d started and ended once: nothing was cut off", i)
                    .filteredOn(r -> r.value().contains("\"SUCCEEDED\""))
                    .hasSize(1);
        }
    }
}
