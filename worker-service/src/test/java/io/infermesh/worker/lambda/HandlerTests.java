package io.infermesh.worker.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Prediction;
import io.infermesh.localinfra.LocalInfra;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.WithLocalInfra;
import io.infermesh.worker.FraudSamples;
import io.infermesh.worker.StandaloneEnvironment;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Lambda handler invoked in-process as the Lambda runtime would, with the router's payload, against a real S3
 * endpoint: its answer is the {@code JobResult} the on-success destination carries to ingest-service.
 */
@WithLocalInfra
class HandlerTests {

    static final Path MODELS = Path.of("../models");
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String BUCKET = "lambda-jobs";
    static Handler handler;

    @BeforeAll
    static void handler() {
        LocalInfra infra = LocalInfraExtension.infra();
        infra.s3().createBucket(BUCKET);
        handler = new Handler(StandaloneEnvironment.of(MODELS));
    }

    private static JobDispatched job(String model, String key) {
        String jobId = UUID.randomUUID().toString();
        return new JobDispatched(
                jobId,
                model,
                "carol",
                ObjectRef.of(BUCKET, key),
                1,
                null,
                Instant.now(),
                Instant.now(),
                0.0000012,
                Backend.LAMBDA,
                ObjectRef.of(BUCKET, JobDispatched.resultKey("results/", model, "carol", jobId)),
                null);
    }

    private static JobResult invoke(JobDispatched job) throws Exception {
        return invoke(handler, job);
    }

    private static JobResult invoke(Handler handler, JobDispatched job) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(job)), out, null);
        return JSON.readValue(out.toByteArray(), JobResult.class);
    }

    @Test
    void anInvocationRunsTheJobWritesItsResultAndAnswersTheJobResult() throws Exception {
        String key = "inbox/iris/carol/" + UUID.randomUUID() + ".json";
        try (S3Client s3 = LocalInfraExtension.infra().s3().client()) {
            s3.putObject(
                    b -> b.bucket(BUCKET).key(key),
                    RequestBody.fromBytes(Files.readAllBytes(MODELS.resolve("iris/samples/virginica.json"))));
            JobDispatched job = job("iris", key);

            JobResult first = invoke(job);
            JobResult warm = invoke(job);

            assertThat(first.jobId()).isEqualTo(job.jobId());
            assertThat(first.backend()).isEqualTo(Backend.LAMBDA);
            assertThat(first.predictions().getFirst().label()).isEqualTo("virginica");
            assertThat(first.output().key()).isEqualTo(job.output().key());
            assertThat(first.estimatedCostUsd()).isEqualTo(0.0000012);
            assertThat(first.executionProvider())
                    .as("no GPU asked for, none used")
                    .isEqualTo("CPU");
            assertThat(warm.timings().modelLoadMs())
                    .as("the execution environment keeps the session")
                    .isZero();
            assertThat(JSON.readTree(s3.getObjectAsBytes(b ->
                                            b.bucket(BUCKET).key(job.output().key()))
                                    .asByteArray())
                            .get("labels")
                            .get(0)
                            .asString())
                    .isEqualTo("virginica");
        }
    }

    @Test
    void theModelsAreLoadedAtInitSoThatNoInvocationPaysTheLoad() throws Exception {
        String key = "inbox/iris/carol/" + UUID.randomUUID() + ".json";
        try (S3Client s3 = LocalInfraExtension.infra().s3().client()) {
            s3.putObject(
                    b -> b.bucket(BUCKET).key(key),
                    RequestBody.fromBytes(Files.readAllBytes(MODELS.resolve("iris/samples/virginica.json"))));
        }
        Map<String, String> env = new HashMap<>(StandaloneEnvironment.of(MODELS));
        Handler preloaded = new Handler(env);
        env.put(Handler.PRELOAD, "none");
        Handler lazy = new Handler(env);

        assertThat(invoke(preloaded, job("iris", key)).timings().modelLoadMs())
                .as("loaded in the init phase, which SnapStart snapshots")
                .isZero();
        assertThat(invoke(lazy, job("iris", key)).timings().modelLoadMs())
                .as("INFERMESH_PRELOAD_MODELS=none: the first invocation loads the model")
                .isPositive();
    }

    @Test
    void aPreloadOfAModelTheFunctionDoesNotServeStopsTheInitSayingSo() {
        Map<String, String> env = new HashMap<>(StandaloneEnvironment.of(MODELS));
        env.put(Handler.PRELOAD, "iris, nope");

        assertThatThrownBy(() -> new Handler(env))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "INFERMESH_PRELOAD_MODELS names model 'nope', which this function does not serve"
                                + " (it serves [")
                .hasMessageContaining("iris");
    }

    @Test
    void aJobThatCannotBeDoneFailsWithItsReasonFirstInTheMessage() throws Exception {
        String key = "inbox/digits/carol/" + UUID.randomUUID() + ".png";
        try (S3Client s3 = LocalInfraExtension.infra().s3().client()) {
            s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("not a picture"));
        }
        assertThatThrownBy(() -> invoke(job("digits", key))).isInstanceOfSatisfying(JobFailedException.class, e -> {
            assertThat(e.reason()).isEqualTo(FailureReason.INVALID_INPUT);
            assertThat(e.getMessage()).startsWith("INVALID_INPUT: ");
        });
        assertThatThrownBy(() -> invoke(job("digits", "inbox/digits/carol/absent.png")))
                .hasMessageStartingWith("INPUT_NOT_FOUND: ");
    }

    @Test
    void theFraudPipelineWritesEveryRowsAnswerAndDecisionAsItsTrainingScriptComputed() throws Exception {
        String key = "inbox/fraud/carol/" + UUID.randomUUID() + ".csv";
        try (S3Client s3 = LocalInfraExtension.infra().s3().client()) {
            s3.putObject(
                    b -> b.bucket(BUCKET).key(key),
                    RequestBody.fromBytes(Files.readAllBytes(FraudSamples.DIR.resolve("transactions.csv"))));
            JobDispatched job = job("fraud", key);

            JobResult result = invoke(job);

            var written = JSON.readTree(
                    s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(job.output().key()))
                            .asByteArray());
            FraudSamples.assertAnswerMatches(written, "transactions.csv");
            assertThat(result.predictions())
                    .extracting(Prediction::label)
                    .as("the job result carries the first row's ranking")
                    .isEqualTo(written.get("labels")
                            .valueStream()
                            .map(l -> l.asString())
                            .toList());
        }
    }

    @Test
    void aFraudRecordWithoutItsChannelFailsAsAnInvalidInputNamingIt() throws Exception {
        String key = "inbox/fraud/carol/" + UUID.randomUUID() + ".json";
        try (S3Client s3 = LocalInfraExtension.infra().s3().client()) {
            s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("{\"hour\": 3, \"amount\": 12.5}"));
        }
        assertThatThrownBy(() -> invoke(job("fraud", key)))
                .hasMessageStartingWith("INVALID_INPUT: 'channel' is missing");
    }
}
