package io.infermesh.router.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Topics;
import io.infermesh.events.DeadLetters;
import io.infermesh.localinfra.LocalInfra;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.TopicProbe;
import io.infermesh.localinfra.WithLocalInfra;
import io.infermesh.router.RouterServiceApplication;
import io.infermesh.router.tracking.FinalOutcomes;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The router on real Kafka with what its two writers put on {@code infermesh.jobs.requested}: ingest's first requests
 * (with the owner's placement choice, if any) and status-service's retries (the next attempt of the same job id).
 * AWS is off, so the on-prem card decides; what the router publishes is read back from the lifecycle and dispatch
 * topics, as the status projection and the workers see it.
 */
@WithLocalInfra
@SpringBootTest(
        classes = RouterServiceApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = "spring.config.name=router-service")
class RequestedAttemptsIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String MODEL =
            "retried-" + UUID.randomUUID().toString().substring(0, 8);
    /** A model whose dispatch topic takes no record as large as a dispatch (its max.message.bytes is tiny). */
    private static final String CRAMPED =
            "cramped-" + UUID.randomUUID().toString().substring(0, 8);

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
                        Topics.dispatch(MODEL).name());
        try (Admin admin = Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafka().bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(Topics.dispatch(CRAMPED).name(), 1, (short) 1)
                            .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "64"))))
                    .all()
                    .get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not create the cramped dispatch topic", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Path models = Files.createTempDirectory("router-models");
        for (String model : List.of(MODEL, CRAMPED)) {
            Files.createDirectories(models.resolve(model));
            Files.writeString(models.resolve(model).resolve("model.yaml"), """
                    name: %s
                    artifact: model.onnx
                    input: {kind: image, width: 8, height: 8, channels: 1}
                    output: {labels: ["0", "1"]}
                    resources: {maxInputBytes: 1000000, timeoutSeconds: 60, memoryMb: 2048, cpus: 1, expectedSeconds: 0.5}
                    placement: {mode: onprem}
                    """.formatted(model));
        }
        registry.add(
                "spring.cloud.stream.kafka.binder.brokers", () -> infra.kafka().bootstrapServers());
        registry.add("infermesh.router.models-dir", models::toString);
    }

    @Autowired
    MeterRegistry meters;

    @Autowired
    FinalOutcomes finals;

    @Test
    void aRetryIsPlacedAsTheNextAttemptWhileDuplicatesOfEitherAttemptAreDropped() {
        String jobId = UUID.randomUUID().toString();
        double duplicates = duplicates();
        JobRequested first = new JobRequested(jobId, MODEL, "alice", input(jobId), Instant.now(), "minio-kafka");
        // the owner retries the FAILED job, asking for Lambda this time (the card allows only the pool)
        JobRequested retry =
                new JobRequested(jobId, MODEL, "alice", input(jobId), Instant.now(), "retry", Backend.LAMBDA, 2);

        request(first);
        request(first); // the same object announced again (another intake path)
        request(retry);
        request(retry); // status-service's send redelivered

        // one partition (key = job id): when the second duplicate is counted, all four requests have been handled
        await().atMost(Duration.ofSeconds(30)).until(() -> duplicates() >= duplicates + 2);
        List<JobStatusChanged> runnable = events(jobId, 2).stream()
                .filter(e -> e.status() == JobStatus.RUNNABLE)
                .toList();
        assertThat(runnable).extracting(JobStatusChanged::attempt).containsExactly(1, 2);
        assertThat(runnable)
                .extracting(JobStatusChanged::eventId)
                .containsExactly(jobId + "/1/RUNNABLE", jobId + "/2/RUNNABLE");
        JobStatusChanged second = runnable.get(1);
        assertThat(second.backend()).isEqualTo(Backend.ONPREM);
        assertThat(second.placementReason())
                .startsWith("requested lambda; the card of '" + MODEL + "' allows only onprem");
        assertThat(second.decision().reason()).isEqualTo(second.placementReason());
        assertThat(runnable.getFirst().placementReason()).doesNotContain("requested");

        List<JobDispatched> dispatched = TopicProbe.awaitRecords(
                        bootstrap(), Topics.dispatch(MODEL).name(), jobId, r -> r.size() >= 2, Duration.ofSeconds(30))
                .stream()
                .map(r -> JSON.readValue(r.value(), JobDispatched.class))
                .toList();
        assertThat(dispatched)
                .as("one run per attempt")
                .extracting(JobDispatched::attempt)
                .containsExactly(1, 2);
        assertThat(dispatched.get(1).backend()).isEqualTo(Backend.ONPREM);
        assertThat(dispatched.get(1).placementReason())
                .as("the pool's record says why, as RUNNABLE did")
                .isEqualTo(second.placementReason());
        assertThat(dispatched.get(1).output())
                .as("the pool writes where its workers are configured to")
                .isNull();
    }

    @Test
    void aRetryRequestOfACancelledJobIsNotPlaced() {
        String jobId = UUID.randomUUID().toString();
        double skipped = skipped("cancelled");
        request(new JobRequested(jobId, MODEL, "alice", input(jobId), Instant.now(), "minio-kafka"));
        events(jobId, 1);
        // given: the owner cancelled the job while it waited (what status-service publishes), and the router saw it
        JobStatusChanged cancelled = JobStatusChanged.of(jobId, MODEL, "alice", JobStatus.CANCELLED, 1, Instant.now())
                .withMessage("Cancelled by alice");
        TopicProbe.send(
                bootstrap(),
                Topics.JOBS_LIFECYCLE.name(),
                jobId,
                JSON.writeValueAsBytes(cancelled),
                CloudEventTypes.headers(
                        cancelled.eventId(),
                        CloudEventTypes.JOB_STATUS_CHANGED,
                        "status-service",
                        jobId,
                        cancelled.occurredAt()));
        await().atMost(Duration.ofSeconds(30)).until(() -> finals.finalState(jobId) != null);

        // when: a retry of attempt 2 arrives anyway (a racing or duplicated request; status-service refuses these)
        request(new JobRequested(jobId, MODEL, "alice", input(jobId), Instant.now(), "retry", null, 2));

        // then: it is counted as skipped and nothing of attempt 2 is announced or dispatched
        await().atMost(Duration.ofSeconds(30)).until(() -> skipped("cancelled") >= skipped + 1);
        assertThat(skipped("cancelled")).isEqualTo(skipped + 1);
        assertThat(events(jobId, 2))
                .extracting(JobStatusChanged::attempt, JobStatusChanged::status)
                .containsExactly(tuple(1, JobStatus.RUNNABLE), tuple(1, JobStatus.CANCELLED));
        assertThat(TopicProbe.awaitRecords(
                                bootstrap(),
                                Topics.dispatch(MODEL).name(),
                                jobId,
                                r -> !r.isEmpty(),
                                Duration.ofSeconds(30))
                        .stream()
                        .map(r -> JSON.readValue(r.value(), JobDispatched.class)))
                .extracting(JobDispatched::attempt)
                .containsExactly(1);
    }

    @Test
    void aRequestWithoutAnAttemptIsTheFirstAttempt() {
        String jobId = UUID.randomUUID().toString();
        request(new JobRequested(jobId, MODEL, "bob", input(jobId), Instant.now(), "minio-webhook"));
        JobStatusChanged runnable = events(jobId, 1).getFirst();
        assertThat(runnable.status()).isEqualTo(JobStatus.RUNNABLE);
        assertThat(runnable.attempt()).isEqualTo(1);
        assertThat(runnable.placementReason())
                .isEqualTo("model card of '" + MODEL + "' fixes placement to the on-prem pool");
    }

    /**
     * Issue 17: a dead-lettered request settles its job FAILED with the dead letter's {@code x-exception-message}
     * (status-service), so that header must be a sentence, not the JSON parser's text.
     */
    @Test
    void anUnreadableRequestIsDeadLetteredWithASentenceNotTheParsersText() {
        String jobId = UUID.randomUUID().toString();
        TopicProbe.send(
                bootstrap(),
                Topics.JOBS_REQUESTED.name(),
                jobId,
                "{\"jobId\": \"%s\", \"model\": [nope".formatted(jobId).getBytes(StandardCharsets.UTF_8),
                Map.of());

        ConsumerRecord<String, String> dead = deadLetter(jobId);
        assertThat(TopicProbe.header(dead, DeadLetters.EXCEPTION_MESSAGE))
                .isEqualTo("the router cannot read this"
                        + " record on infermesh.jobs.requested; it is not a job request it understands (JobRequested JSON),"
                        + " the problem is at line 1, column 60 (its writer must be fixed, retrying will not help)");
        assertThat(TopicProbe.header(dead, DeadLetters.ORIGINAL_TOPIC)).isEqualTo(Topics.JOBS_REQUESTED.name());
    }

    /** Issue 17: the same for a dispatch record that Kafka refuses: the sentence, not the producer's text. */
    @Test
    void aDispatchKafkaRefusesIsDeadLetteredWithASentenceNotTheProducersText() {
        String jobId = UUID.randomUUID().toString();
        request(new JobRequested(jobId, CRAMPED, "alice", input(jobId), Instant.now(), "minio-kafka"));

        ConsumerRecord<String, String> dead = deadLetter(jobId);
        assertThat(TopicProbe.header(dead, DeadLetters.EXCEPTION_MESSAGE))
                .isEqualTo("the router could not place"
                        + " attempt 1 of job " + jobId + "; Kafka did not take the dispatch record on "
                        + Topics.dispatch(CRAMPED).name() + " for the on-prem pool of model '" + CRAMPED
                        + "' (the router's"
                        + " log has the producer's error)");
    }

    private static ConsumerRecord<String, String> deadLetter(String jobId) {
        return TopicProbe.awaitRecords(
                        bootstrap(), Topics.JOBS_REQUESTED.dlq(), jobId, r -> !r.isEmpty(), Duration.ofSeconds(60))
                .getFirst();
    }

    private static void request(JobRequested job) {
        TopicProbe.send(bootstrap(), Topics.JOBS_REQUESTED.name(), job.jobId(), JSON.writeValueAsBytes(job), Map.of());
    }

    private static List<JobStatusChanged> events(String jobId, int count) {
        List<ConsumerRecord<String, String>> records = TopicProbe.awaitRecords(
                bootstrap(), Topics.JOBS_LIFECYCLE.name(), jobId, r -> r.size() >= count, Duration.ofSeconds(30));
        return records.stream()
                .map(r -> JSON.readValue(r.value(), JobStatusChanged.class))
                .toList();
    }

    private static ObjectRef input(String jobId) {
        return new ObjectRef("inbox", MODEL + "/alice/" + jobId + ".png", null, "e", 100L, "image/png");
    }

    private double skipped(String reason) {
        var counter = meters.find("infermesh.router.skipped")
                .tags("reason", reason, "kind", "request")
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private double duplicates() {
        var counter = meters.find("infermesh.router.duplicates").counter();
        return counter == null ? 0 : counter.count();
    }

    private static String bootstrap() {
        return LocalInfraExtension.infra().kafka().bootstrapServers();
    }
}
