package io.infermesh.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.WithLocalInfra;
import io.infermesh.worker.StandaloneEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code predict --job-from-env} as the AWS Batch container runs it: the router's {@link JobDispatched} in
 * {@code INFERMESH_JOB}, the input read from and {@code result.json} written to a real S3 endpoint, the result printed.
 */
@WithLocalInfra
class PredictBatchJobTests {

    static final Path MODELS = Path.of("../models");
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String BUCKET = "batch-jobs";

    record Outcome(int code, String stdout) {}

    private static Outcome run(JobDispatched job) {
        Map<String, String> env = new HashMap<>(StandaloneEnvironment.of(MODELS));
        env.put(JobDispatched.ENV_JOB, JSON.writeValueAsString(job));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code =
                Predict.run(List.of(Predict.JOB_FROM_ENV), env, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return new Outcome(code, bytes.toString(StandardCharsets.UTF_8));
    }

    private static JobDispatched job(String key) {
        String jobId = UUID.randomUUID().toString();
        return new JobDispatched(
                jobId,
                "digits",
                "alice",
                ObjectRef.of(BUCKET, key),
                2,
                null,
                Instant.now(),
                Instant.now(),
                0.0011,
                Backend.BATCH,
                ObjectRef.of(BUCKET, JobDispatched.resultKey("results/", "digits", "alice", jobId)),
                null);
    }

    @Test
    void theJobFromTheEnvironmentIsRunWithItsResultWrittenWhereTheRouterSaidAndPrinted() throws Exception {
        LocalInfraExtension.infra().s3().createBucket(BUCKET);
        String key = "inbox/digits/alice/" + UUID.randomUUID() + "/digit-3.png";
        try (S3Client s3 = LocalInfraExtension.infra().s3().client()) {
            s3.putObject(
                    b -> b.bucket(BUCKET).key(key),
                    RequestBody.fromBytes(Files.readAllBytes(MODELS.resolve("digits/samples/digit-3.png"))));
            JobDispatched job = job(key);

            Outcome outcome = run(job);

            assertThat(outcome.code()).as(outcome.stdout()).isZero();
            JobResult result = JSON.readValue(outcome.stdout(), JobResult.class);
            assertThat(result.jobId()).isEqualTo(job.jobId());
            assertThat(result.attempt()).isEqualTo(2);
            assertThat(result.backend()).isEqualTo(Backend.BATCH);
            assertThat(result.predictions().getFirst().label()).isEqualTo("3");
            assertThat(result.output().key()).isEqualTo(job.output().key());
            assertThat(result.estimatedCostUsd()).isEqualTo(0.0011);
            JsonNode written = JSON.readTree(
                    s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(job.output().key()))
                            .asByteArray());
            assertThat(written.get("jobId").asString()).isEqualTo(job.jobId());
            assertThat(written.get("labels").get(0).asString()).isEqualTo("3");
        }
    }

    @Test
    void aMissingInputOrAMissingJobIsAJsonErrorAndANonZeroExit() {
        LocalInfraExtension.infra().s3().createBucket(BUCKET);
        Outcome missing = run(job("inbox/digits/alice/not-there.png"));
        assertThat(missing.code()).isEqualTo(1);
        assertThat(JSON.readTree(missing.stdout()).get("reason").asString()).isEqualTo("INPUT_NOT_FOUND");

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = Predict.run(
                List.of(Predict.JOB_FROM_ENV), Map.of(), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains(JobDispatched.ENV_JOB);
    }
}
