package io.infermesh.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Topics;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.WithLocalInfra;
import io.infermesh.worker.cancellations.CancelledJobs;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;

/**
 * A job cancelled while its dispatch waited behind a backlog (ADR 0016): the worker that takes the dispatch later
 * does not start it — no event, no download, no run, no {@code result.json}, no result record — acknowledges the
 * record and counts it, while the job dispatched after it runs as usual. Real Kafka, S3 and ONNX Runtime.
 */
@WithLocalInfra
class CancelledDispatchIntegrationTests {

    static final String BUCKET = "cancel-tests";
    static final Duration DONE = Duration.ofSeconds(40);
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

    private ConfigurableApplicationContext startWorker() {
        List<String> args = new ArrayList<>(List.of(WorkerKafka.properties("")));
        args.add("server.port=0");
        ConfigurableApplicationContext worker = WorkerServiceApplication.builder()
                .run(args.stream().map(a -> "--" + a).toArray(String[]::new));
        workers.add(worker);
        return worker;
    }

    private ObjectRef digit(int n) throws Exception {
        String key = "inbox/digits/alice/" + UUID.randomUUID() + ".png";
        s3.putObject(
                b -> b.bucket(BUCKET).key(key),
                RequestBody.fromBytes(Files.readAllBytes(Path.of("../models/digits/samples/digit-" + n + ".png"))));
        return new ObjectRef(BUCKET, key, null, null, null, "image/png");
    }

    private static double skippedAsCancelled(ConfigurableApplicationContext worker) {
        return worker
                .getBean(MeterRegistry.class)
                .find("infermesh.worker.skipped")
                .tag("reason", "cancelled")
                .counters()
                .stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    private static String resultKey(String jobId) {
        return "results/digits/alice/" + jobId + "/result.json";
    }

    private boolean resultExists(String jobId) {
        return s3.listObjectsV2(b -> b.bucket(BUCKET).prefix(resultKey(jobId))).keyCount() > 0;
    }

    /** B ran to the end; A left no trace but the counter, and its record is acknowledged. */
    private void assertSkippedTheFirstAndRanTheSecond(
            ConfigurableApplicationContext worker, JobDispatched a, JobDispatched b) throws Exception {
        var lifecycleOfB = WorkerKafka.awaitRecords(
                Topics.JOBS_LIFECYCLE.name(),
                b.jobId(),
                found -> found.stream().anyMatch(r -> r.value().contains("\"SUCCEEDED\"")));
        assertThat(lifecycleOfB)
                .extracting(
                        r -> WorkerKafka.JSON.readTree(r.value()).get("status").asString())
                .containsExactly("STARTING", "RUNNING", "SUCCEEDED");
        JsonNode succeeded = WorkerKafka.JSON.readTree(lifecycleOfB.getLast().value());
        assertThat(succeeded.get("predictions").get(0).get("label").asString()).isEqualTo("7");
        assertThat(resultExists(b.jobId())).as("B's result.json").isTrue();
        assertThat(WorkerKafka.awaitRecords(Topics.JOBS_RESULTS.name(), b.jobId(), found -> !found.isEmpty()))
                .hasSize(1);

        // A was taken (and skipped), not merely still waiting: counted, and every dispatch record acknowledged
        await().atMost(DONE).until(() -> skippedAsCancelled(worker) == 1.0);
        await().atMost(DONE)
                .until(() -> WorkerKafka.uncommitted(Topics.dispatch("digits").name()) == 0);
        assertThat(WorkerKafka.recordsNow(Topics.JOBS_LIFECYCLE.name(), a.jobId()))
                .as("A's lifecycle events")
                .isEmpty();
        assertThat(WorkerKafka.recordsNow(Topics.JOBS_RESULTS.name(), a.jobId()))
                .as("A's result record")
                .isEmpty();
        assertThat(WorkerKafka.recordsNow(Topics.dispatch("digits").dlq(), a.jobId()))
                .as("A dead-lettered")
                .isEmpty();
        assertThat(resultExists(a.jobId())).as("A's result.json").isFalse();
    }

    @Test
    void aJobCancelledWhileItsDispatchWaitedIsSkippedByAWorkerThatStartsLaterAndTheNextJobRuns() throws Exception {
        String cancelled = "job-" + UUID.randomUUID();
        // alice cancelled the job while no worker was running: the worker reads the cancellations before its pools
        WorkerKafka.cancel(cancelled, "digits", "alice");
        ConfigurableApplicationContext worker = startWorker();

        JobDispatched a = WorkerKafka.dispatch("digits", "alice", digit(3), cancelled);
        JobDispatched b = WorkerKafka.dispatch("digits", "alice", digit(7));

        assertSkippedTheFirstAndRanTheSecond(worker, a, b);
    }

    @Test
    void aCancellationThatArrivesWhileTheWorkerRunsSkipsTheDispatchItTakesAfterwards() throws Exception {
        ConfigurableApplicationContext worker = startWorker();
        String cancelled = "job-" + UUID.randomUUID();

        WorkerKafka.cancel(cancelled, "digits", "alice");
        // the cancel reached the worker while the dispatch was still queued
        await().atMost(DONE).until(() -> worker.getBean(CancelledJobs.class).contains(cancelled, 1));
        JobDispatched a = WorkerKafka.dispatch("digits", "alice", digit(3), cancelled);
        JobDispatched b = WorkerKafka.dispatch("digits", "alice", digit(7));

        assertSkippedTheFirstAndRanTheSecond(worker, a, b);
    }
}
