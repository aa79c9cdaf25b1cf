package io.infermesh.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.localinfra.LocalInfra;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.WithLocalInfra;
import io.infermesh.worker.catalogue.WorkerModels;
import io.infermesh.worker.cli.Predict;
import io.infermesh.worker.engine.InferenceEngine;
import io.infermesh.worker.jobs.AttemptOutcome;
import io.infermesh.worker.jobs.JobRunner;
import io.infermesh.worker.lambda.Handler;
import io.infermesh.worker.lambda.JobFailedException;
import io.infermesh.worker.storage.ObjectStorage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A run over the model card's time limit is {@code TIMEOUT} on every path an attempt can take (ADR 0020): the pool's
 * runner (on Kafka: {@code ModelPoolIntegrationTests.aSlowJobTimesOutAsFailedWhileTheOthersComplete}), the Lambda
 * handler, {@code predict --job-from-env} (the Batch container) and {@code predict --input-file}; each reports it its
 * own way, with the same reason and the same sentence. The test model {@code spin} spins as long as its input says;
 * its card allows 1 s.
 */
@WithLocalInfra
class RunTimeLimitIsTimeoutOnEveryPathTests {

    static final Path MODELS = Path.of("src/test/resources/test-models");
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String BUCKET = "time-limits";
    static final byte[] SLOW = "{\"spin\": 1000, \"x\": 1}".getBytes(StandardCharsets.UTF_8);
    static final String SENTENCE = "the run took longer than model 'spin' allows (1 s";

    static ObjectRef input;

    @BeforeAll
    static void aSlowInputInTheStore() {
        LocalInfra infra = LocalInfraExtension.infra();
        infra.s3().createBucket(BUCKET);
        String key = "inbox/spin/erin/" + UUID.randomUUID() + ".json";
        try (S3Client s3 = infra.s3().client()) {
            s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(SLOW));
        }
        input = ObjectRef.of(BUCKET, key);
    }

    static Map<String, String> environment() {
        return StandaloneEnvironment.of(MODELS);
    }

    static JobDispatched attempt(Backend backend) {
        String jobId = UUID.randomUUID().toString();
        return new JobDispatched(
                jobId,
                "spin",
                "erin",
                input,
                1,
                "fixed by the test",
                Instant.now(),
                Instant.now(),
                null,
                backend,
                ObjectRef.of(BUCKET, JobDispatched.resultKey("results/", "spin", "erin", jobId)),
                null);
    }

    @Test
    void thePoolsRunnerEndsTheJobFailedWithTimeout() {
        try (ObjectStorage storage = new ObjectStorage(ObjectStorage.client(Predict.s3(environment())));
                InferenceEngine engine = new InferenceEngine(JSON, 1)) {
            AttemptOutcome events = new AttemptOutcome();
            JobRunner pools = new JobRunner(
                    WorkerModels.load(MODELS, List.of()),
                    engine,
                    storage::read,
                    JobRunner.ResultWriter.stored(storage, JSON),
                    events,
                    JobRunner.Cancellations.NONE,
                    "",
                    JobRunner.DEFAULT_RESULTS_PREFIX,
                    Clock.systemUTC());

            var unexpected = pools.runAll(List.of(attempt(Backend.ONPREM)), JobRunner.Start.WARM);

            assertThat(unexpected).isEmpty();
            assertThat(events.succeeded()).isEmpty();
            assertThat(events.reason()).isEqualTo(FailureReason.TIMEOUT);
            assertThat(events.message()).contains(SENTENCE);
        }
    }

    @Test
    void theLambdaHandlerThrowsTimeoutFirstInTheMessage() {
        Handler handler = new Handler(environment());
        byte[] payload = JSON.writeValueAsBytes(attempt(Backend.LAMBDA));

        assertThatThrownBy(() ->
                        handler.handleRequest(new ByteArrayInputStream(payload), new ByteArrayOutputStream(), null))
                .isInstanceOfSatisfying(JobFailedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(FailureReason.TIMEOUT);
                    assertThat(e.getMessage()).startsWith("TIMEOUT: " + SENTENCE);
                });
    }

    @Test
    void theBatchContainerExitsOneWithTimeout() {
        Map<String, String> env = new HashMap<>(environment());
        env.put(JobDispatched.ENV_JOB, JSON.writeValueAsString(attempt(Backend.BATCH)));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        int code =
                Predict.run(List.of(Predict.JOB_FROM_ENV), env, new PrintStream(bytes, true, StandardCharsets.UTF_8));

        JsonNode printed = JSON.readTree(bytes.toString(StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(1);
        assertThat(printed.get("reason").asString()).isEqualTo(FailureReason.TIMEOUT.name());
        assertThat(printed.get("error").asString()).startsWith(SENTENCE);
    }

    @Test
    void predictOnAFileExitsOneWithTimeout(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("slow.json"), SLOW);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        int code = Predict.run(
                List.of("--model-name=spin", "--input-file=" + file, "--models-dir=" + MODELS),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));

        JsonNode printed = JSON.readTree(bytes.toString(StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(1);
        assertThat(printed.get("reason").asString()).isEqualTo(FailureReason.TIMEOUT.name());
        assertThat(printed.get("error").asString()).startsWith(SENTENCE);
    }

    @Test
    void aFastInputOfTheSameModelSucceedsOnTheSameRunner() {
        String key = "inbox/spin/erin/" + UUID.randomUUID() + "-fast.json";
        try (S3Client s3 = LocalInfraExtension.infra().s3().client();
                ObjectStorage storage = new ObjectStorage(ObjectStorage.client(Predict.s3(environment())));
                InferenceEngine engine = new InferenceEngine(JSON, 1)) {
            s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("{\"spin\": 0, \"x\": 1}"));
            JobDispatched fast = new JobDispatched(
                    UUID.randomUUID().toString(), "spin", "erin", ObjectRef.of(BUCKET, key), 1, null, null, null, null);
            AttemptOutcome events = new AttemptOutcome();

            JobRunner.outsideThePool(
                            WorkerModels.load(MODELS, List.of()),
                            engine,
                            storage::read,
                            JobRunner.ResultWriter.stored(storage, JSON),
                            events)
                    .runOnce(fast);

            assertThat(events.succeeded()).as("the limit stops slow runs only").isPresent();
            assertThat(events.succeeded().get().status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(events.result().orElseThrow().output().key())
                    .as("a record without output: the input's bucket, under results/")
                    .isEqualTo(JobDispatched.resultKey("results/", "spin", "erin", fast.jobId()));
        }
    }
}
