package io.infermesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Prediction;
import io.infermesh.contracts.Timings;
import io.infermesh.contracts.Topics;
import io.infermesh.localinfra.MotoAws;
import io.infermesh.localinfra.MotoServer;
import io.infermesh.localinfra.TopicProbe;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole mesh with its cloud backends on the real AWS SDK against moto: uploads are placed on AWS Lambda, the
 * function's destination records come back through SQS into ingest-service, a lambda-batch job that times out on
 * Lambda runs on AWS Batch as attempt 2, and everything is seen through status-service's REST API. moto runs neither
 * functions nor destinations: the test plays AWS by sending the records AWS would send, in AWS's format.
 */
@ExtendWith(MotoServer.class)
class CloudMeshIntegrationTests {

    static final Path MODELS = Path.of("../models");
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    static final String FUNCTION = "infermesh-mesh-" + SUFFIX;
    static final String QUEUE = "infermesh-mesh-" + SUFFIX;
    static LocalMesh mesh;
    static S3Client s3;
    static SqsClient sqs;
    static String completions;

    @BeforeAll
    static void startMesh() throws Exception {
        MotoAws.function(FUNCTION);
        MotoAws.queue(QUEUE, QUEUE + "-worker");
        sqs = MotoServer.client(SqsClient.builder());
        completions = sqs.createQueue(b -> b.queueName("infermesh-completions-" + SUFFIX))
                .queueUrl();
        Path models = Files.createTempDirectory("cloud-models");
        copyWithPlacement("digits", models, "lambda-batch");
        copyWithPlacement("iris", models, "lambda");
        String moto = MotoServer.endpoint().toString();
        mesh = LocalMesh.start(LocalMesh.Settings.randomPorts(models)
                .with("router-service", "infermesh.router.aws.enabled", true)
                .with("router-service", "infermesh.router.aws.endpoint", moto)
                .with("router-service", "infermesh.router.aws.region", MotoServer.REGION.id())
                .with("router-service", "infermesh.router.aws.access-key-id", MotoServer.ACCESS_KEY)
                .with("router-service", "infermesh.router.aws.secret-access-key", MotoServer.SECRET_KEY)
                .with("router-service", "infermesh.router.batch-poll.interval", "250ms")
                .with("router-service", "infermesh.router.batch-poll.late-after", "0s")
                .with("ingest-service", "infermesh.ingest.sqs.enabled", true)
                .with("ingest-service", "infermesh.ingest.sqs.queue-urls", completions)
                .with("ingest-service", "infermesh.ingest.sqs.endpoint", moto)
                .with("ingest-service", "infermesh.ingest.sqs.region", MotoServer.REGION.id())
                .with("ingest-service", "infermesh.ingest.sqs.access-key", MotoServer.ACCESS_KEY)
                .with("ingest-service", "infermesh.ingest.sqs.secret-key", MotoServer.SECRET_KEY)
                .with("ingest-service", "infermesh.ingest.sqs.wait-time-seconds", 1));
        s3 = mesh.infra().s3().client();
    }

    /** The example model with its placement replaced: the same ONNX file, now run in the cloud. */
    private static void copyWithPlacement(String model, Path models, String mode) throws Exception {
        Path from = MODELS.resolve(model);
        Path to = Files.createDirectories(models.resolve(model));
        Files.copy(from.resolve("model.onnx"), to.resolve("model.onnx"));
        String card = Files.readString(from.resolve("model.yaml"));
        card = card.substring(0, card.indexOf("placement:")) + """
                placement:
                  mode: %s
                  lambda: {functionName: %s}
                  batch: {jobQueue: %s, jobDefinition: %s-worker}
                """.formatted(mode, FUNCTION, QUEUE, QUEUE);
        Files.writeString(to.resolve("model.yaml"), card);
    }

    @AfterAll
    static void stopMesh() {
        if (s3 != null) {
            s3.close();
        }
        if (sqs != null) {
            sqs.close();
        }
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void aLambdaJobSucceedsThroughItsOnSuccessDestinationRecord() throws Exception {
        String jobId = upload(
                "inbox/iris/carol/" + UUID.randomUUID() + "/flower.json",
                Files.readAllBytes(MODELS.resolve("iris/samples/virginica.json")),
                "application/json");
        JobStatusChanged runnable = awaitLifecycle(jobId, JobStatus.RUNNABLE, 1);
        assertThat(runnable.backend()).isEqualTo(Backend.LAMBDA);
        assertThat(runnable.message()).contains(FUNCTION);

        // AWS Lambda ran the job: its on-success destination delivers this record to SQS
        JobDispatched request = requestPayload(runnable, jobId);
        JobResult response = new JobResult(
                jobId,
                "iris",
                "carol",
                1,
                Backend.LAMBDA,
                request.input(),
                request.output(),
                List.of(new Prediction("virginica", 0.97), new Prediction("versicolor", 0.03)),
                new Timings(null, 40L, 0L, 5L, 30L, null),
                Instant.now(),
                request.estimatedCostUsd());
        sqs.sendMessage(b -> b.queueUrl(completions)
                .messageBody(destinationRecord(request, "Success", JSON.writeValueAsString(response), null)));

        JsonNode job = awaitTerminal(jobId);
        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("backend").asString()).isEqualTo("lambda");
        assertThat(job.get("predictions").get(0).get("label").asString()).isEqualTo("virginica");
    }

    @Test
    void aLambdaBatchJobWhoseLambdaAttemptTimesOutSucceedsOnBatchAsAttemptTwo() throws Exception {
        String jobId = upload(
                "inbox/digits/alice/" + UUID.randomUUID() + "/digit-3.png",
                Files.readAllBytes(MODELS.resolve("digits/samples/digit-3.png")),
                "image/png");
        JobStatusChanged runnable = awaitLifecycle(jobId, JobStatus.RUNNABLE, 1);
        assertThat(runnable.backend()).isEqualTo(Backend.LAMBDA);

        // AWS Lambda gave up: its on-failure destination delivers this record to SQS
        JobDispatched request = requestPayload(runnable, jobId);
        sqs.sendMessage(b -> b.queueUrl(completions)
                .messageBody(destinationRecord(
                        request,
                        "RetriesExhausted",
                        "{\"errorMessage\":\"2026-11-22T18:16:05.568Z " + UUID.randomUUID()
                                + " Task timed out after 60.00 seconds\",\"errorType\":\"Sandbox.Timedout\"}",
                        "Unhandled")));

        JsonNode job = awaitTerminal(jobId);
        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("backend").asString()).isEqualTo("batch");
        assertThat(job.get("attempt").asInt()).isEqualTo(2);
        assertThat(job.get("outputUri").asString()).isEqualTo(request.output().uri());

        JsonNode events = getJson(mesh.url("status-service") + "/api/jobs/" + jobId + "/events");
        List<String> seen = new ArrayList<>();
        events.get("events")
                .forEach(e -> seen.add(
                        e.get("attempt").asInt() + ":" + e.get("status").asString()));
        assertThat(seen).contains("1:RUNNABLE", "1:FAILED", "2:RUNNABLE", "2:SUCCEEDED");
    }

    /** What the router sent to Lambda, as AWS echoes it back in the destination record's requestPayload. */
    private static JobDispatched requestPayload(JobStatusChanged runnable, String jobId) {
        ObjectRef output = ObjectRef.of(
                LocalMesh.BUCKET, JobDispatched.resultKey("results/", runnable.model(), runnable.owner(), jobId));
        return new JobDispatched(
                jobId,
                runnable.model(),
                runnable.owner(),
                runnable.input(),
                1,
                null,
                null,
                runnable.occurredAt(),
                runnable.estimatedCostUsd(),
                Backend.LAMBDA,
                output,
                null);
    }

    /** An AWS Lambda asynchronous-invocation destination record (AWS's documented format). */
    private static String destinationRecord(
            JobDispatched request, String condition, String responsePayload, String functionError) {
        return """
                {"version":"1.0","timestamp":"%s",
                 "requestContext":{"requestId":"%s","functionArn":"arn:aws:lambda:us-east-1:123456789012:function:%s:$LATEST","condition":"%s","approximateInvokeCount":%d},
                 "requestPayload":%s,
                 "responseContext":{"statusCode":200,"executedVersion":"$LATEST"%s},
                 "responsePayload":%s}
                """.formatted(
                        Instant.now(),
                        UUID.randomUUID(),
                        FUNCTION,
                        condition,
                        functionError == null ? 1 : 3,
                        JSON.writeValueAsString(request),
                        functionError == null ? "" : ",\"functionError\":\"" + functionError + "\"",
                        responsePayload);
    }

    private static String upload(String key, byte[] bytes, String contentType) {
        return StatusApi.upload(s3, key, bytes, contentType);
    }

    private static JobStatusChanged awaitLifecycle(String jobId, JobStatus status, int attempt) {
        var records = TopicProbe.awaitRecords(
                mesh.infra().kafka().bootstrapServers(),
                Topics.JOBS_LIFECYCLE.name(),
                jobId,
                found -> found.stream()
                        .map(r -> JSON.readValue(r.value(), JobStatusChanged.class))
                        .anyMatch(e -> e.status() == status && e.attempt() == attempt),
                Duration.ofSeconds(60));
        return records.stream()
                .map(r -> JSON.readValue(r.value(), JobStatusChanged.class))
                .filter(e -> e.status() == status && e.attempt() == attempt)
                .findFirst()
                .orElseThrow();
    }

    /** SUCCEEDED, or FAILED in a later attempt (attempt 1 may fail on Lambda before Batch takes over). */
    private static JsonNode awaitTerminal(String jobId) {
        return StatusApi.awaitJob(
                mesh,
                jobId,
                job -> "SUCCEEDED".equals(job.get("status").asString())
                        || ("FAILED".equals(job.get("status").asString())
                                && job.get("attempt").asInt() > 1));
    }

    private static JsonNode getJson(String url) throws Exception {
        return StatusApi.getJson(mesh, url);
    }
}
