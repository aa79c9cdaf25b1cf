package io.infermesh.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Topics;
import io.infermesh.events.DeadLetters;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.TopicProbe;
import io.infermesh.localinfra.WithLocalInfra;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;

/**
 * The worker as the router and subscribers see it, on real Kafka, S3 and ONNX Runtime. Each test starts the worker
 * through its own {@code builder()}, so the dispatch topics are derived from the model folder as in production.
 */
@WithLocalInfra
class JobRunnerIntegrationTests {

    static final String BUCKET = "worker-tests";
    ConfigurableApplicationContext worker;
    S3Client s3;

    @BeforeEach
    void bucket() {
        LocalInfraExtension.infra().s3().createBucket(BUCKET);
        s3 = WorkerKafka.s3();
    }

    @AfterEach
    void stop() {
        if (worker != null) {
            worker.close();
        }
        s3.close();
    }

    private void startWorker(String resultsBucket) {
        List<String> args = new ArrayList<>(List.of(WorkerKafka.properties(resultsBucket)));
        args.add("--server.port=0");
        worker = WorkerServiceApplication.builder()
                .run(args.stream().map(a -> a.startsWith("--") ? a : "--" + a).toArray(String[]::new));
    }

    private ObjectRef upload(String key, byte[] bytes) {
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(bytes));
        return new ObjectRef(BUCKET, key, null, null, (long) bytes.length, "image/png");
    }

    @Test
    void aDispatchedDigitRunsAndItsResultIsWrittenAnnouncedAndSucceeded() throws Exception {
        startWorker("");
        ObjectRef input = upload(
                "inbox/digits/alice/" + UUID.randomUUID() + ".png",
                Files.readAllBytes(Path.of("../models/digits/samples/digit-4.png")));

        var job = WorkerKafka.dispatch("digits", "alice", input);

        List<ConsumerRecord<String, String>> lifecycle = WorkerKafka.awaitRecords(
                Topics.JOBS_LIFECYCLE.name(),
                job.jobId(),
                found -> found.stream().anyMatch(r -> r.value().contains("\"SUCCEEDED\"")));
        assertThat(lifecycle)
                .extracting(
                        r -> WorkerKafka.JSON.readTree(r.value()).get("status").asString())
                .containsExactly("STARTING", "RUNNING", "SUCCEEDED");
        JsonNode succeeded = WorkerKafka.JSON.readTree(lifecycle.getLast().value());
        assertThat(succeeded.get("predictions").get(0).get("label").asString()).isEqualTo("4");
        String resultKey = "results/digits/alice/" + job.jobId() + "/result.json";
        assertThat(succeeded.get("output").get("key").asString()).isEqualTo(resultKey);
        assertThat(succeeded.get("timings").has("inferenceMs")).isTrue();
        JsonNode result = WorkerKafka.JSON.readTree(
                s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(resultKey)).asByteArray());
        assertThat(result.get("labels").get(0).asString()).isEqualTo("4");

        var published = WorkerKafka.awaitRecords(Topics.JOBS_RESULTS.name(), job.jobId(), found -> !found.isEmpty());
        assertThat(WorkerKafka.JSON
                        .readTree(published.getFirst().value())
                        .get("output")
                        .get("key")
                        .asString())
                .isEqualTo(resultKey);
    }

    @Test
    void anInputThatNoLongerExistsFailsAtOnceWithInputNotFoundAndASentence() throws Exception {
        startWorker("");
        var job = WorkerKafka.dispatch("digits", "alice", ObjectRef.of(BUCKET, "inbox/digits/alice/gone.png"));

        List<ConsumerRecord<String, String>> lifecycle = endedOnce(job.jobId());

        JsonNode failed = WorkerKafka.JSON.readTree(lifecycle.getLast().value());
        assertThat(failed.get("reason").asString()).isEqualTo("INPUT_NOT_FOUND");
        assertThat(failed.get("message").asString())
                .isEqualTo("the input s3://" + BUCKET
                        + "/inbox/digits/alice/gone.png does not exist: it was deleted or never uploaded");
    }

    @Test
    void anInputVersionTheStoreCannotServeFailsAtOnceWithInputNotFoundAndASentence() throws Exception {
        // Given an object on the local S3 endpoint, which keeps no versions (it answers 501 to a versioned GET)
        String key = "inbox/digits/alice/" + UUID.randomUUID() + ".png";
        ObjectRef current = upload(key, Files.readAllBytes(Path.of("../models/digits/samples/digit-4.png")));
        startWorker("");

        // When a notification names a version of it
        var job = WorkerKafka.dispatch(
                "digits",
                "alice",
                new ObjectRef(BUCKET, key, "3HL4kqtJlcpXroDTDmJ", null, current.size(), "image/png"));

        // Then the job fails on its first try, saying why in a sentence, and nothing of the SDK shows
        List<ConsumerRecord<String, String>> lifecycle = endedOnce(job.jobId());
        JsonNode failed = WorkerKafka.JSON.readTree(lifecycle.getLast().value());
        assertThat(failed.get("reason").asString()).isEqualTo("INPUT_NOT_FOUND");
        assertThat(failed.get("message").asString())
                .isEqualTo("the storage endpoint cannot serve version "
                        + "'3HL4kqtJlcpXroDTDmJ' of s3://" + BUCKET + "/" + key
                        + " (it does not keep versions); upload "
                        + "without a version id or enable versioning");
        assertThat(lifecycle).noneMatch(r -> r.value().contains("INTERNAL_ERROR"));
    }

    /**
     * The job's events once its dispatch record is committed: one try (one STARTING) that ended FAILED, no retry. The
     * pool retries before it commits, so a committed record has had all the tries it will get.
     */
    private static List<ConsumerRecord<String, String>> endedOnce(String jobId) throws Exception {
        WorkerKafka.awaitRecords(
                Topics.JOBS_LIFECYCLE.name(),
                jobId,
                found -> found.stream().anyMatch(r -> r.value().contains("\"FAILED\"")));
        await().atMost(Duration.ofSeconds(40))
                .until(() -> WorkerKafka.uncommitted(Topics.dispatch("digits").name()) == 0);
        List<ConsumerRecord<String, String>> lifecycle = WorkerKafka.recordsNow(Topics.JOBS_LIFECYCLE.name(), jobId);
        assertThat(lifecycle)
                .extracting(
                        r -> WorkerKafka.JSON.readTree(r.value()).get("status").asString())
                .as("one try, no retry")
                .containsExactly("STARTING", "FAILED");
        return lifecycle;
    }

    @Test
    void aJobWhoseResultCannotBeWrittenEndsFailedOnItsLastAttemptAndIsDeadLettered() throws Exception {
        startWorker("no-such-results-bucket");
        ObjectRef input = upload(
                "inbox/digits/bob/" + UUID.randomUUID() + ".png",
                Files.readAllBytes(Path.of("../models/digits/samples/digit-2.png")));

        var job = WorkerKafka.dispatch("digits", "bob", input);

        var lifecycle = WorkerKafka.awaitRecords(
                Topics.JOBS_LIFECYCLE.name(),
                job.jobId(),
                found -> found.stream().anyMatch(r -> r.value().contains("\"FAILED\"")));
        JsonNode failed = WorkerKafka.JSON.readTree(lifecycle.getLast().value());
        assertThat(failed.get("status").asString()).isEqualTo("FAILED");
        assertThat(failed.get("reason").asString()).isEqualTo("INTERNAL_ERROR");
        assertThat(failed.get("message").asString())
                .isEqualTo("the worker could not write the result to "
                        + "s3://no-such-results-bucket/results/digits/bob/" + job.jobId()
                        + "/result.json: the bucket 'no-such-results-bucket' does not exist");
        var dead = WorkerKafka.awaitRecords(Topics.dispatch("digits").dlq(), job.jobId(), found -> !found.isEmpty());
        assertThat(dead).hasSize(1);
        assertThat(TopicProbe.header(dead.getFirst(), DeadLetters.EXCEPTION_MESSAGE))
                .isEqualTo(failed.get("message").asString());
        assertThat(TopicProbe.header(dead.getFirst(), DeadLetters.ORIGINAL_TOPIC))
                .isEqualTo(Topics.dispatch("digits").name());
        assertThat(TopicProbe.header(dead.getFirst(), CloudEventTypes.HEADER_TYPE))
                .as("the dispatch's CloudEvents attributes kept")
                .isEqualTo(CloudEventTypes.JOB_DISPATCHED);
        // the record was dead-lettered after its last attempt; only that attempt ended the job
        var all = WorkerKafka.awaitRecords(Topics.JOBS_LIFECYCLE.name(), job.jobId(), found -> !found.isEmpty());
        assertThat(all).filteredOn(r -> r.value().contains("\"FAILED\"")).hasSize(1);
        assertThat(all)
                .filteredOn(r -> r.value().contains("\"STARTING\""))
                .as("three delivery attempts")
                .hasSize(3);
    }
}
