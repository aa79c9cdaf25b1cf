package io.infermesh.worker.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.localinfra.MotoServer;
import io.infermesh.worker.FraudSamples;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Lambda handler in-process against a moto server's S3 (AWS's own API emulated, real AWS SDK v2), with the
 * credentials a function role would give: the fraud pipeline answers as its training script computed.
 */
@ExtendWith(MotoServer.class)
class HandlerOnMotoTests {

    static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void theFraudPipelineRunsAgainstMotoS3AndWritesWhatPythonComputed() throws Exception {
        String bucket = "lambda-" + UUID.randomUUID();
        var credentials = MotoServer.credentials().resolveCredentials();
        Handler handler = new Handler(Map.of(
                "INFERMESH_MODELS_DIR",
                "../models",
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
