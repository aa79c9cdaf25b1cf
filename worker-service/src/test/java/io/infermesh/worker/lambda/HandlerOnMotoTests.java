package io.infermesh.worker.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Prediction;
import io.infermesh.localinfra.MotoServer;
import io.infermesh.worker.FraudSamples;
import io.infermesh.worker.catalogue.WorkerModels;
import io.infermesh.worker.engine.InferenceEngine;
import io.infermesh.worker.engine.ModelEntry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Lambda handler in-process against a moto server's S3 (AWS's own API emulated, real AWS SDK v2), with the
 * credentials a function role would give: every example model answers as the pool does.
 */
@ExtendWith(MotoServer.class)
class HandlerOnMotoTests {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Path MODELS = Path.of("../models");

    /** The handler as Lambda constructs it, with the credentials of a function role on moto. */
    private static Handler handler() {
        var credentials = MotoServer.credentials().resolveCredentials();
        return new Handler(Map.of(
                "INFERMESH_MODELS_DIR",
                MODELS.toString(),
                "INFERMESH_S3_ENDPOINT",
                MotoServer.endpoint().toString(),
                "INFERMESH_S3_ACCESS_KEY",
                credentials.accessKeyId(),
                "INFERMESH_S3_SECRET_KEY",
                credentials.secretAccessKey(),
                "INFERMESH_S3_PATH_STYLE",
                "true",
                "AWS_REGION",
                MotoServer.REGION.id()));
    }

    /**
     * Issue 15: the function answers exactly what the on-prem pool answers — the pool's runner and engine are the
     * same classes (ADR 0020), so the digits and iris answers are compared with the engine's own run of the same
     * input, probability for probability; the fraud pipeline's with what its training script computed, as
     * {@code ModelPoolIntegrationTests} asserts the pool's.
     */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({"digits, digits/samples/digit-3.png", "iris, iris/samples/virginica.json"})
    void theFunctionAnswersWhatThePoolsEngineAnswers(String model, String sample) throws Exception {
        String bucket = "lambda-" + UUID.randomUUID();
        byte[] input = Files.readAllBytes(MODELS.resolve(sample));
        List<Prediction> pools;
        try (InferenceEngine engine = new InferenceEngine(JSON, 2)) {
            ModelEntry entry = WorkerModels.load(MODELS, List.of()).find(model).orElseThrow();
            pools = engine.run(entry, input).rows().getFirst();
        }
        try (S3Client s3 = MotoServer.s3()) {
            s3.createBucket(b -> b.bucket(bucket));
            String key = "inbox/" + model + "/dave/" + UUID.randomUUID() + "-"
                    + Path.of(sample).getFileName();
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(input));
            String jobId = UUID.randomUUID().toString();
            JobDispatched job = new JobDispatched(
                    jobId,
                    model,
                    "dave",
                    ObjectRef.of(bucket, key),
                    1,
                    null,
                    Instant.now(),
                    Instant.now(),
                    null,
                    Backend.LAMBDA,
                    ObjectRef.of(bucket, JobDispatched.resultKey("results/", model, "dave", jobId)),
                    null);

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            handler().handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(job)), out, null);
            JobResult result = JSON.readValue(out.toByteArray(), JobResult.class);

            assertThat(result.predictions()).isEqualTo(pools);
            assertThat(JSON.readTree(s3.getObjectAsBytes(b ->
                                            b.bucket(bucket).key(job.output().key()))
                                    .asByteArray())
                            .path("labels")
                            .get(0)
                            .asString())
                    .as("result.json's answer")
                    .isEqualTo(pools.getFirst().label());
        }
    }

    @Test
    void theFraudPipelineRunsAgainstMotoS3AndWritesWhatPythonComputed() throws Exception {
        String bucket = "lambda-" + UUID.randomUUID();
        Handler handler = handler();
        try (S3Client s3 = MotoServer.s3()) {
            s3.createBucket(b -> b.bucket(bucket));
            for (String sample : new String[] {"batch.json", "suspicious.json"}) {
                String key = "inbox/fraud/dave/" + UUID.randomUUID() + "-" + sample;
                s3.putObject(
                        b -> b.bucket(bucket).key(key),
                        RequestBody.fromBytes(Files.readAllBytes(FraudSamples.DIR.resolve(sample))));
                String jobId = UUID.randomUUID().toString();
                JobDispatched job = new JobDispatched(
                        jobId,
                        "fraud",
                        "dave",
                        ObjectRef.of(bucket, key),
                        1,
                        null,
                        Instant.now(),
                        Instant.now(),
                        null,
                        Backend.LAMBDA,
                        ObjectRef.of(bucket, JobDispatched.resultKey("results/", "fraud", "dave", jobId)),
                        null);

                ByteArrayOutputStream out = new ByteArrayOutputStream();
                handler.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(job)), out, null);
                JobResult result = JSON.readValue(out.toByteArray(), JobResult.class);

                assertThat(result.output().key()).isEqualTo(job.output().key());
                FraudSamples.assertAnswerMatches(
                        JSON.readTree(s3.getObjectAsBytes(
                                        b -> b.bucket(bucket).key(job.output().key()))
                                .asByteArray()),
                        sample);
            }
        }
    }
}
