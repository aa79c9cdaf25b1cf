package io.infermesh.router.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ModelCatalogue;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Topics;
import io.infermesh.events.JobEventSender;
import io.infermesh.localinfra.LocalInfra;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.MotoAws;
import io.infermesh.localinfra.MotoServer;
import io.infermesh.localinfra.TopicProbe;
import io.infermesh.localinfra.WithLocalInfra;
import io.infermesh.router.RouterProperties;
import io.infermesh.router.RouterServiceApplication;
import io.infermesh.router.backend.Backends;
import io.infermesh.router.tracking.FinalOutcomes;
import io.infermesh.router.tracking.Ledger;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.model.JobDetail;
import software.amazon.awssdk.services.batch.model.JobSummary;
import tools.jackson.databind.json.JsonMapper;

/**
 * The router on real Kafka with its Lambda and Batch backends on the real AWS SDK against moto: what a model card's
 * placement mode does to a job, seen on the lifecycle and results topics and in AWS.
 */
@WithLocalInfra
@ExtendWith(MotoServer.class)
@SpringBootTest(
        classes = RouterServiceApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = "spring.config.name=router-service")
class CloudPlacementIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    private static final String FUNCTION = "infermesh-cloudy-" + SUFFIX;
    private static final String QUEUE = "infermesh-cpu-" + SUFFIX;
    /** A function no AWS account has: the card of model "lost" names it. */
    private static final String LOST_FUNCTION = "infermesh-lost-" + SUFFIX;
    /** A queue no AWS account has: the card of model "queueless" names it. */
    private static final String LOST_QUEUE = "infermesh-nowhere-" + SUFFIX;
    /** Every state of an AWS Batch job (its API's {@code JobStatus}, not ours). */
    private static final List<String> BATCH_STATES =
            List.of("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED");
    /** Between the router and AWS (moto), to make Lambda throttle. */
    private static FaultyProxy aws;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) throws IOException {
        LocalInfra infra = LocalInfraExtension.infra();
        infra.kafka()
                .createTopics(
                        3,
                        Topics.JOBS_REQUESTED.name(),
                        Topics.JOBS_LIFECYCLE.name(),
                        Topics.JOBS_RESULTS.name(),
                        Topics.JOBS_REQUESTED.dlq());
        MotoAws.function(FUNCTION);
        MotoAws.queue(QUEUE, QUEUE + "-worker");
        Path models = Files.createTempDirectory("router-models");
        card(models, "cloudy", "lambda");
        card(models, "batchy", "batch");
        card(models, "fallback", "lambda-batch");
        card(models, "pushback", "lambda-batch");
        card(models, "retried", "lambda-batch");
        card(models, "settled", "lambda-batch");
        card(models, "settled-later", "lambda-batch");
        card(models, "choosy", "auto");
        card(models, "lost", "lambda", LOST_FUNCTION, QUEUE);
        card(models, "queueless", "batch", FUNCTION, LOST_QUEUE);
        registry.add(
                "spring.cloud.stream.kafka.binder.brokers", () -> infra.kafka().bootstrapServers());
        registry.add("infermesh.router.models-dir", models::toString);
        registry.add("infermesh.router.results-bucket", () -> "results");
        registry.add("infermesh.router.aws.enabled", () -> "true");
        aws = new FaultyProxy();
        // moto's Lambda without Docker takes an invocation of any name: for this one, AWS's answer to a missing
        // function
        aws.refuse(
                "/2015-03-31/functions/" + LOST_FUNCTION + "/",
                404,
                "ResourceNotFoundException",
                "Function not found: arn:aws:lambda:us-east-1:123456789012:function:" + LOST_FUNCTION);
        registry.add("infermesh.router.aws.endpoint", () -> aws.endpoint().toString());
        registry.add("infermesh.router.aws.region", () -> MotoServer.REGION.id());
        registry.add("infermesh.router.aws.access-key-id", () -> MotoServer.ACCESS_KEY);
        registry.add("infermesh.router.aws.secret-access-key", () -> MotoServer.SECRET_KEY);
        registry.add("infermesh.router.batch-poll.interval", () -> "200ms");
        registry.add("infermesh.router.batch-poll.late-after", () -> "0s");
    }

    private static void card(Path models, String name, String mode) throws IOException {
        card(models, name, mode, FUNCTION, QUEUE);
    }

    private static void card(Path models, String name, String mode, String function, String queue) throws IOException {
        Files.createDirectories(models.resolve(name));
        Files.writeString(
                models.resolve(name).resolve("model.yaml"), """
                name: %s
                artifact: model.onnx
                input: {kind: image, width: 8, height: 8, channels: 1}
                output: {labels: ["0", "1"]}
                resources: {maxInputBytes: 1000000, timeoutSeconds: 120, memoryMb: 2048, cpus: 1}
                placement:
                  mode: %s
                  deadlineSeconds: 60
                  lambda: {functionName: %s}
                  batch: {jobQueue: %s, jobDefinition: %s-worker}
                """.formatted(name, mode, function, queue, QUEUE));
    }

    @Test
    void aLambdaJobIsInvokedAndItsRunnableEventCarriesTheDecision() {
        String jobId = request("cloudy");

        JobStatusChanged runnable =
                awaitStatus(jobId, events -> events.stream().anyMatch(e -> e.status() == JobStatus.RUNNABLE)).stream()
                        .filter(e -> e.status() == JobStatus.RUNNABLE)
                        .findFirst()
                        .orElseThrow();
        assertThat(runnable.backend()).isEqualTo(Backend.LAMBDA);
        assertThat(runnable.attempt()).isEqualTo(1);
        assertThat(runnable.placementReason()).contains("fixes placement to AWS Lambda");
        assertThat(runnable.message()).contains(FUNCTION).contains("accepted");
        assertThat(runnable.decision().mode()).isEqualTo("lambda");
        assertThat(runnable.decision().chosen()).isEqualTo(Backend.LAMBDA);
        assertThat(runnable.decision().alternatives()).hasSize(3);
        assertThat(runnable.estimatedCostUsd()).isPositive();
    }

    /**
     * Issue 17: a job's message never carries AWS's or the SDK's own text ("Function not found: arn:aws:…", "(Service:
     * Lambda, Status Code: 404, Request ID: …)"): the refusal is a sentence naming the function and the card.
     */
    @Test
    void aLambdaJobWhoseFunctionDoesNotExistFailsWithASentenceNamingTheFunctionAndTheCard() {
        String jobId = request("lost");

        JobStatusChanged failed = failed(jobId);
        assertThat(failed.reason()).isEqualTo(FailureReason.BACKEND_UNAVAILABLE);
        assertThat(failed.message())
                .isEqualTo("no backend accepted the job: AWS Lambda refused it: function '"
                        + LOST_FUNCTION
                        + "' does not exist in this AWS account and region (ResourceNotFoundException, HTTP"
                        + " 404): create it, or correct placement.lambda in the card of model 'lost'");
    }

    /** Issue 17: the same for a Batch queue that does not exist (moto's own answer: ClientException, HTTP 400). */
    @Test
    void aBatchJobOnAQueueThatDoesNotExistFailsWithASentenceNamingTheQueueAndTheCard() {
        String jobId = request("queueless");

        JobStatusChanged failed = failed(jobId);
        assertThat(failed.reason()).isEqualTo(FailureReason.BACKEND_UNAVAILABLE);
        assertThat(failed.message())
                .isEqualTo("no backend accepted the job: AWS Batch refused it: job queue '"
                        + LOST_QUEUE
                        + "' does not exist in this AWS account and region (ClientException, HTTP 400): create"
                        + " it, or correct placement.batch in the card of model 'queueless'");
    }

    /**
     * Issue 17: a Batch job that AWS Batch reports FAILED (seen by polling) ends FAILED with a sentence of what
     * happened and what to do, not Batch's own words ("Essential container in task exited", "OutOfMemoryError:
     * Container killed due to memory usage").
     */
    @Test
    void aBatchJobThatRanOutOfMemoryIsReportedFailedWithASentenceNotBatchsWords() {
        String jobId = UUID.randomUUID().toString();
        String name = JobDispatched.batchJobName(jobId, 1);
        aws.failBatchJob(
                name,
                new FaultyProxy.BatchFailure(
                        "Essential container in task exited",
                        137,
                        "OutOfMemoryError: Container killed due to memory usage"));
        send(new JobRequested(jobId, "batchy", "alice", input("batchy", jobId), Instant.now(), "test"));

        JobStatusChanged failed = failed(jobId);
        assertThat(failed.backend()).isEqualTo(Backend.BATCH);
        assertThat(failed.reason()).isEqualTo(FailureReason.BACKEND_ERROR);
        assertThat(failed.message())
                .isEqualTo("the container of AWS Batch job " + name + " ("
                        + batchJob(name).jobId() + ") on queue '" + QUEUE
                        + "' ran out of memory and was killed (exit code"
                        + " 137): give job definition '" + QUEUE + "-worker:1' more memory");
    }

    private static JobStatusChanged failed(String jobId) {
        return awaitStatus(jobId, e -> e.stream().anyMatch(s -> s.status() == JobStatus.FAILED)).stream()
                .filter(e -> e.status() == JobStatus.FAILED)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aBatchJobIsSubmittedAndItsStatesReachTheLifecycleThroughPolling() {
        String jobId = request("batchy");

        List<JobStatusChanged> events =
                awaitStatus(jobId, e -> e.stream().anyMatch(s -> s.status() == JobStatus.SUCCEEDED));
        JobStatusChanged runnable = events.stream()
                .filter(e -> e.status() == JobStatus.RUNNABLE)
                .findFirst()
                .orElseThrow();
        assertThat(runnable.backend()).isEqualTo(Backend.BATCH);
        JobStatusChanged succeeded = events.stream()
                .filter(e -> e.status() == JobStatus.SUCCEEDED)
                .findFirst()
                .orElseThrow();
        assertThat(succeeded.backend()).isEqualTo(Backend.BATCH);
        assertThat(succeeded.output())
                .isEqualTo(ObjectRef.of("results", JobDispatched.resultKey("results/", "batchy", "alice", jobId)));
        assertThat(succeeded.message()).contains("succeeded");

        JobResult result = JSON.readValue(
                TopicProbe.awaitRecords(
                                bootstrap(),
                                Topics.JOBS_RESULTS.name(),
                                jobId,
                                r -> !r.isEmpty(),
                                Duration.ofSeconds(30))
                        .getFirst()
                        .value(),
                JobResult.class);
        assertThat(result.backend()).isEqualTo(Backend.BATCH);
        assertThat(result.output()).isEqualTo(succeeded.output());
        assertThat(result.estimatedCostUsd()).isPositive();

        // what AWS Batch was given
        JobDetail detail = batchJob(JobDispatched.batchJobName(jobId, 1));
        assertThat(detail.parameters()).containsEntry(JobDispatched.BATCH_PARAMETER_JOB_ID, jobId);
        assertThat(detail.container().environment()).anySatisfy(kv -> {
            assertThat(kv.name()).isEqualTo(JobDispatched.ENV_JOB);
            JobDispatched sent = JSON.readValue(kv.value(), JobDispatched.class);
            assertThat(sent.jobId()).isEqualTo(jobId);
            assertThat(sent.input().key()).isEqualTo("batchy/alice/" + jobId + ".png");
            assertThat(sent.output()).isEqualTo(succeeded.output());
            assertThat(sent.backend())
                    .as("the one record of an attempt names its backend")
                    .isEqualTo(Backend.BATCH);
            assertThat(sent.placementReason()).as("and why it is there").isNotBlank();
            assertThat(sent.deadline())
                    .as("by when: the request plus the card's deadlineSeconds")
                    .isEqualTo(sent.requestedAt().plusSeconds(60));
        });
    }

    @Test
    void aLambdaBatchJobWhoseLambdaAttemptTimesOutRunsOnBatchAsAttemptTwo() {
        String jobId = request("fallback");
        awaitStatus(
                jobId,
                e -> e.stream().anyMatch(s -> s.status() == JobStatus.RUNNABLE && s.backend() == Backend.LAMBDA));

        // what ingest-service publishes from the function's on-failure destination record
        JobStatusChanged timedOut = JobStatusChanged.of(jobId, "fallback", "alice", JobStatus.FAILED, 1, Instant.now())
                .withBackend(Backend.LAMBDA, null)
                .withInput(input("fallback", jobId))
                .withFailure(FailureReason.TIMEOUT, "Lambda function " + FUNCTION + " timed out after 60 s");
        TopicProbe.send(
                bootstrap(),
                Topics.JOBS_LIFECYCLE.name(),
                jobId,
                JSON.writeValueAsBytes(timedOut),
                CloudEventTypes.headers(
                        timedOut.eventId(),
                        CloudEventTypes.JOB_STATUS_CHANGED,
                        "ingest-service",
                        jobId,
                        timedOut.occurredAt()));

        List<JobStatusChanged> events = awaitStatus(
                jobId, e -> e.stream().anyMatch(s -> s.attempt() == 2 && s.status() == JobStatus.SUCCEEDED));
        JobStatusChanged second = events.stream()
                .filter(e -> e.attempt() == 2 && e.status() == JobStatus.RUNNABLE)
                .findFirst()
                .orElseThrow();
        assertThat(second.backend()).isEqualTo(Backend.BATCH);
        assertThat(second.placementReason())
                .contains("attempt 1 on AWS Lambda timed out")
                .contains("attempt 2");
        assertThat(batchJob(JobDispatched.batchJobName(jobId, 2)).statusAsString())
                .isEqualTo("SUCCEEDED");
        assertThat(events).filteredOn(e -> e.attempt() == 3).isEmpty();
    }

    @Test
    void aLateLambdaTimeoutOfTheAttemptThatSucceededStartsNoFurtherAttempt() {
        aSucceededJobIsNotReDispatchedWhenLambdaReportsATimeoutOf("settled", 1);
    }

    @Test
    void aLateLambdaTimeoutOfALaterAttemptAfterAttemptOneSucceededStartsNoFurtherAttempt() {
        aSucceededJobIsNotReDispatchedWhenLambdaReportsATimeoutOf("settled-later", 2);
    }

    /** Issue 17: a finished job must not change its outcome because a late failure record starts another attempt. */
    private void aSucceededJobIsNotReDispatchedWhenLambdaReportsATimeoutOf(String model, int failedAttempt) {
        String jobId = request(model);
        double skipped = skippedRedispatches();
        awaitStatus(
                jobId,
                e -> e.stream().anyMatch(s -> s.status() == JobStatus.RUNNABLE && s.backend() == Backend.LAMBDA));
        // given: the function's on-success destination record for attempt 1, as ingest-service publishes it
        publishLifecycle(JobStatusChanged.of(jobId, model, "alice", JobStatus.SUCCEEDED, 1, Instant.now())
                .withBackend(Backend.LAMBDA, null)
                .withInput(input(model, jobId))
                .withOutput(ObjectRef.of("results", JobDispatched.resultKey("results/", model, "alice", jobId))));

        // when: an on-failure record arrives after it (a timeout that lambda-batch would re-dispatch to Batch)
        publishLifecycle(JobStatusChanged.of(jobId, model, "alice", JobStatus.FAILED, failedAttempt, Instant.now())
                .withBackend(Backend.LAMBDA, null)
                .withInput(input(model, jobId))
                .withFailure(FailureReason.TIMEOUT, "Lambda function " + FUNCTION + " timed out after 60 s"));

        // then: counted as skipped once, and no later attempt is announced or submitted to Batch
        await().atMost(Duration.ofSeconds(30)).until(() -> skippedRedispatches() >= skipped + 1);
        assertThat(skippedRedispatches()).isEqualTo(skipped + 1);
        List<JobStatusChanged> events =
                awaitStatus(jobId, e -> e.stream().anyMatch(s -> s.status() == JobStatus.FAILED));
        assertThat(events)
                .extracting(JobStatusChanged::status)
                .containsExactly(JobStatus.RUNNABLE, JobStatus.SUCCEEDED, JobStatus.FAILED);
        assertThat(batchJobNames())
                .doesNotContain(JobDispatched.batchJobName(jobId, 2), JobDispatched.batchJobName(jobId, 3));
    }

    @Test
    void batchPollingPublishesNoResultOfAnotherAttemptOfAJobThatAlreadySucceeded(
            @Autowired StreamBridge bridge,
            @Autowired ModelCatalogue catalogue,
            @Autowired RouterProperties properties) {
        // given: attempt 2 of a job runs on Batch (a re-dispatch), and this router has seen attempt 1 succeed since
        String jobId = UUID.randomUUID().toString();
        ObjectRef output = ObjectRef.of("results", JobDispatched.resultKey("results/", "batchy", "alice", jobId));
        JobDispatched second = new JobDispatched(
                jobId,
                "batchy",
                "alice",
                input("batchy", jobId),
                2,
                "re-dispatched",
                Instant.now(),
                Instant.now(),
                0.001,
                Backend.BATCH,
                output,
                null);
        var handle = backends.dispatch(second, catalogue.find("batchy").orElseThrow());
        Ledger ledger = new Ledger(properties.estimates().estimates(), Clock.systemUTC());
        ledger.dispatchedRemote(
                second,
                handle.id(),
                JobStatusChanged.of(jobId, "batchy", "alice", JobStatus.RUNNABLE, 2, Instant.now()));
        FinalOutcomes finals = new FinalOutcomes(10);
        finals.observe(jobId, 1, JobStatus.RUNNING);
        finals.observe(jobId, 1, JobStatus.SUCCEEDED);
        BatchPoller poller = new BatchPoller(
                (BatchBackend) backends.get(Backend.BATCH).orElseThrow(),
                ledger,
                finals,
                new JobEventSender(bridge, JSON, "router-service"),
                meters,
                Duration.ZERO,
                Clock.systemUTC());
        double skipped = skippedResults();

        // when: polling sees attempt 2 succeed on Batch
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            poller.poll();
            return ledger.remote(jobId, 2).isEmpty();
        });

        // then: its lifecycle event is published (history), its result record is not
        assertThat(skippedResults()).isEqualTo(skipped + 1);
        awaitStatus(jobId, e -> e.stream().anyMatch(s -> s.attempt() == 2 && s.status() == JobStatus.SUCCEEDED));
        // a marker after whatever the poller sent, in the same partition (same key): everything before it is read
        TopicProbe.send(bootstrap(), Topics.JOBS_RESULTS.name(), jobId, "marker".getBytes(), Map.of());
        assertThat(TopicProbe.awaitRecords(
                        bootstrap(),
                        Topics.JOBS_RESULTS.name(),
                        jobId,
                        r -> r.stream().anyMatch(m -> m.value().equals("marker")),
                        Duration.ofSeconds(30)))
                .extracting(ConsumerRecord::value)
                .containsExactly("marker");
    }

    private double skippedResults() {
        var counter = meters.find("infermesh.router.skipped")
                .tags("reason", "succeeded", "kind", "result")
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private static void publishLifecycle(JobStatusChanged event) {
        TopicProbe.send(
                bootstrap(),
                Topics.JOBS_LIFECYCLE.name(),
                event.jobId(),
                JSON.writeValueAsBytes(event),
                CloudEventTypes.headers(
                        event.eventId(),
                        CloudEventTypes.JOB_STATUS_CHANGED,
                        "ingest-service",
                        event.jobId(),
                        event.occurredAt()));
    }

    private double skippedRedispatches() {
        var counter = meters.find("infermesh.router.skipped")
                .tags("reason", "succeeded", "kind", "redispatch")
                .counter();
        return counter == null ? 0 : counter.count();
    }

    /** The names of every job in the queue, whatever its state. */
    private static List<String> batchJobNames() {
        try (BatchClient batch = MotoAws.batch()) {
            return BATCH_STATES.stream()
                    .flatMap(s -> batch.listJobs(r -> r.jobQueue(QUEUE).jobStatus(s)).jobSummaryList().stream())
                    .map(JobSummary::jobName)
                    .toList();
        }
    }

    @Test
    void aLambdaBatchJobThatLambdaThrottlesAtDispatchGoesToBatchAndSaysWhy() {
        aws.throttleOnly("/2015-03-31/functions");
        String jobId;
        try {
            jobId = request("pushback");
            JobStatusChanged runnable =
                    awaitStatus(jobId, e -> e.stream().anyMatch(s -> s.status() == JobStatus.RUNNABLE)).stream()
                            .filter(e -> e.status() == JobStatus.RUNNABLE)
                            .findFirst()
                            .orElseThrow();
            assertThat(runnable.attempt()).isEqualTo(1);
            assertThat(runnable.backend()).isEqualTo(Backend.BATCH);
            assertThat(runnable.placementReason())
                    .contains("AWS Lambda refused it")
                    .contains("429")
                    .contains("so AWS Batch");
            assertThat(runnable.decision().chosen()).isEqualTo(Backend.BATCH);
        } finally {
            aws.throttle(false);
        }
        assertThat(aws.throttledCalls())
                .as("retried with backoff before giving up on Lambda")
                .isEqualTo(3);
        awaitStatus(jobId, e -> e.stream().anyMatch(s -> s.status() == JobStatus.SUCCEEDED));
    }

    @Test
    void anAutoJobWhoseOwnerAskedForBatchRunsOnBatchAndTheReasonSaysSo() {
        String jobId = UUID.randomUUID().toString();
        send(new JobRequested(jobId, "choosy", "alice", input("choosy", jobId), Instant.now(), "test")
                .withRequestedBackend(Backend.BATCH));

        List<JobStatusChanged> events =
                awaitStatus(jobId, e -> e.stream().anyMatch(s -> s.status() == JobStatus.SUCCEEDED));
        JobStatusChanged runnable = events.stream()
                .filter(e -> e.status() == JobStatus.RUNNABLE)
                .findFirst()
                .orElseThrow();
        assertThat(runnable.backend()).isEqualTo(Backend.BATCH);
        assertThat(runnable.placementReason())
                .startsWith("requested batch: AWS Batch, which the card of 'choosy' (auto) allows");
        assertThat(runnable.decision().mode()).isEqualTo("auto");
        assertThat(runnable.decision().chosen()).isEqualTo(Backend.BATCH);
        assertThat(batchJob(JobDispatched.batchJobName(jobId, 1)).statusAsString())
                .isEqualTo("SUCCEEDED");
    }

    @Test
    void aRetriedLambdaBatchJobWhoseLambdaAttemptTimesOutRunsOnBatchAsTheAttemptAfterIt() {
        String jobId = UUID.randomUUID().toString();
        double duplicates = duplicates();
        // status-service's retry of a job whose attempt 1 failed: attempt 2, Lambda first as the card says
        send(new JobRequested(jobId, "retried", "alice", input("retried", jobId), Instant.now(), "retry", null, 2));
        JobStatusChanged onLambda =
                awaitStatus(jobId, e -> e.stream().anyMatch(s -> s.status() == JobStatus.RUNNABLE)).stream()
                        .filter(e -> e.status() == JobStatus.RUNNABLE)
                        .findFirst()
                        .orElseThrow();
        assertThat(onLambda.attempt()).isEqualTo(2);
        assertThat(onLambda.backend()).isEqualTo(Backend.LAMBDA);

        JobStatusChanged timedOut = JobStatusChanged.of(jobId, "retried", "alice", JobStatus.FAILED, 2, Instant.now())
                .withBackend(Backend.LAMBDA, null)
                .withInput(input("retried", jobId))
                .withFailure(FailureReason.TIMEOUT, "Lambda function " + FUNCTION + " timed out after 60 s");
        TopicProbe.send(
                bootstrap(),
                Topics.JOBS_LIFECYCLE.name(),
                jobId,
                JSON.writeValueAsBytes(timedOut),
                CloudEventTypes.headers(
                        timedOut.eventId(),
                        CloudEventTypes.JOB_STATUS_CHANGED,
                        "ingest-service",
                        jobId,
                        timedOut.occurredAt()));
        List<JobStatusChanged> events = awaitStatus(
                jobId, e -> e.stream().anyMatch(s -> s.attempt() == 3 && s.status() == JobStatus.SUCCEEDED));
        JobStatusChanged third = events.stream()
                .filter(e -> e.attempt() == 3 && e.status() == JobStatus.RUNNABLE)
                .findFirst()
                .orElseThrow();
        assertThat(third.backend()).isEqualTo(Backend.BATCH);
        assertThat(third.placementReason())
                .contains("attempt 2 on AWS Lambda timed out")
                .contains("as attempt 3");
        assertThat(batchJob(JobDispatched.batchJobName(jobId, 3)).statusAsString())
                .isEqualTo("SUCCEEDED");

        // the owner, having seen attempt 2 FAILED for a moment, retries it too: attempt 3 is already placed
        send(new JobRequested(jobId, "retried", "alice", input("retried", jobId), Instant.now(), "retry", null, 3));
        await().atMost(Duration.ofSeconds(30)).until(() -> duplicates() >= duplicates + 1);
        assertThat(awaitStatus(
                        jobId, e -> e.stream().anyMatch(s -> s.attempt() == 3 && s.status() == JobStatus.SUCCEEDED)))
                .filteredOn(e -> e.status() == JobStatus.RUNNABLE)
                .extracting(JobStatusChanged::attempt)
                .containsExactly(2, 3);
    }

    private double duplicates() {
        var counter = meters.find("infermesh.router.duplicates").counter();
        return counter == null ? 0 : counter.count();
    }

    @Autowired
    MeterRegistry meters;

    @Autowired
    Backends backends;

    /** Each test starts with closed breakers: the failures one test provokes on purpose must not fail the next. */
    @AfterEach
    void closeBreakers() {
        backends.breaker(Backend.LAMBDA).reset();
        backends.breaker(Backend.BATCH).reset();
    }

    @AfterAll
    static void closeProxy() {
        if (aws != null) {
            aws.close();
        }
    }

    private static String request(String model) {
        String jobId = UUID.randomUUID().toString();
        send(new JobRequested(jobId, model, "alice", input(model, jobId), Instant.now(), "test"));
        return jobId;
    }

    private static void send(JobRequested job) {
        TopicProbe.send(bootstrap(), Topics.JOBS_REQUESTED.name(), job.jobId(), JSON.writeValueAsBytes(job), Map.of());
    }

    private static ObjectRef input(String model, String jobId) {
        return new ObjectRef("inbox", model + "/alice/" + jobId + ".png", null, "e", 100L, "image/png");
    }

    private static List<JobStatusChanged> awaitStatus(String jobId, Predicate<List<JobStatusChanged>> done) {
        List<ConsumerRecord<String, String>> records = TopicProbe.awaitRecords(
                bootstrap(), Topics.JOBS_LIFECYCLE.name(), jobId, r -> done.test(parse(r)), Duration.ofSeconds(30));
        return parse(records);
    }

    private static List<JobStatusChanged> parse(List<ConsumerRecord<String, String>> records) {
        return records.stream()
                .map(r -> JSON.readValue(r.value(), JobStatusChanged.class))
                .toList();
    }

    private static JobDetail batchJob(String name) {
        try (BatchClient batch = MotoAws.batch()) {
            String id = batch.listJobs(r -> r.jobQueue(QUEUE).jobStatus("SUCCEEDED")).jobSummaryList().stream()
                    .filter(s -> s.jobName().equals(name))
                    .findFirst()
                    .orElseThrow()
                    .jobId();
            return batch.describeJobs(r -> r.jobs(id)).jobs().getFirst();
        }
    }

    private static String bootstrap() {
        return LocalInfraExtension.infra().kafka().bootstrapServers();
    }
}
