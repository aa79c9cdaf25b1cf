package io.infermesh.ingest.awsexamples;

import static io.infermesh.ingest.notification.CloudBackendExamples.JSON;
import static io.infermesh.ingest.notification.CloudBackendExamples.assertMatchesSchema;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.Prediction;
import io.infermesh.contracts.Topics;
import io.infermesh.events.JobEventSender;
import io.infermesh.ingest.IngestProperties;
import io.infermesh.ingest.intake.NotificationHandler;
import io.infermesh.ingest.notification.BackendReport;
import io.infermesh.ingest.notification.BatchJobStateChanges;
import io.infermesh.ingest.notification.CloudBackendExamples;
import io.infermesh.ingest.notification.LambdaDestinationRecords;
import io.infermesh.ingest.notification.MalformedNotificationException;
import io.infermesh.ingest.notification.QueueMessage;
import io.infermesh.ingest.notification.QueueMessageReader;
import io.infermesh.ingest.outcomes.LifecycleFollower;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.cloud.stream.function.StreamOperations;
import org.springframework.util.MimeType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Lambda destination records and Batch job state changes that reach ingest, as the AWS documentation shows them
 * ({@code src/test/resources/aws-examples/}, each file's page in its README): as published they are another team's
 * function or job, not ours; with our job in the one field that carries it, every other documented field kept, each
 * becomes the lifecycle event the router and the status API expect.
 */
class AwsDocumentedExamplesTests {

    static final String JOB_ID = "6f1c2d3e-4b5a-3c2d-9e8f-7a6b5c4d3e2f";
    static final String BATCH_JOB_ID = "4c7599ae-0a82-49aa-ba5a-4727fcce14a8";

    private final QueueMessageReader reader = new QueueMessageReader(JSON);
    private final LambdaDestinationRecords lambdaRecords = new LambdaDestinationRecords(JSON);
    private final BatchJobStateChanges batchEvents = new BatchJobStateChanges(JSON);
    private final Object lambdaJob = CloudBackendExamples.job(JOB_ID, 2, Backend.LAMBDA);
    private final Object batchJob = CloudBackendExamples.job(JOB_ID, 1, Backend.BATCH);

    /** An example file as AWS published it. */
    static String example(String name) {
        try (InputStream in = AwsDocumentedExamplesTests.class.getResourceAsStream("/aws-examples/" + name)) {
            assertThat(in).as("aws-examples/%s on the classpath", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static ObjectNode tree(String name) {
        return (ObjectNode) JSON.readTree(example(name));
    }

    /** The documented record with our job as its {@code requestPayload}, nothing else changed. */
    private ObjectNode lambdaRecordOfOurJob(String name) {
        ObjectNode record = tree(name);
        record.set("requestPayload", JSON.valueToTree(lambdaJob));
        return record;
    }

    /** The documented event with our job's Batch parameters as the router submits them, nothing else changed. */
    private ObjectNode batchEventOfOurJob(String name) {
        ObjectNode event = tree(name);
        ((ObjectNode) event.get("detail"))
                .set("parameters", JSON.valueToTree(CloudBackendExamples.parameters(cast(batchJob))));
        return event;
    }

    /**
     * The fixture's job as the type a fixture method takes, by inference: this test does not name the attempt record
     * (issue 15 item 1 merges two of them), only the envelopes AWS documents.
     */
    @SuppressWarnings("unchecked")
    private static <T> T cast(Object job) {
        return (T) job;
    }

    private JobStatusChanged statusChange(QueueMessage message) {
        assertThat(message).isInstanceOf(BackendReport.StatusChange.class);
        return ((BackendReport.StatusChange) message).event();
    }

    private static String jobInput(Object job) {
        return JSON.valueToTree(job).get("input").toString();
    }

    // --- Lambda asynchronous-invocation destination records ---

    @ParameterizedTest
    @ValueSource(
            strings = {
                "lambda/on-success.json",
                "lambda/on-failure-retries-exhausted-unhandled.json",
                "lambda/on-failure-retries-exhausted-handled.json",
                "lambda/on-failure-event-age-exceeded.json"
            })
    void aDocumentedRecordOfAnotherFunctionIsNotOurs(String file) {
        assertThat(reader.read(example(file))).isEqualTo(new BackendReport.NotOurs("foreign-lambda-record"));
        assertThat(lambdaRecords.read(tree(file))).isEqualTo(new BackendReport.NotOurs("foreign-lambda-record"));
    }

    @Test
    void retriesExhaustedOnAnUnhandledErrorFailsTheAttemptWithoutTheRuntimesWords() {
        JobStatusChanged event =
                statusChange(reader.read(lambdaRecordOfOurJob("lambda/on-failure-retries-exhausted-unhandled.json")
                        .toString()));

        assertThat(event.eventId()).isEqualTo(JOB_ID + "/2/FAILED");
        assertThat(event.status()).isEqualTo(JobStatus.FAILED);
        assertThat(event.attempt()).isEqualTo(2);
        assertThat(event.backend()).isEqualTo(Backend.LAMBDA);
        assertThat(event.occurredAt())
                .as("the record's timestamp")
                .isEqualTo(Instant.parse("2019-11-14T18:16:05.568Z"));
        assertThat(JSON.valueToTree(event.input()).toString())
                .as("the input, so that the router can place the job elsewhere")
                .isEqualTo(jobInput(lambdaJob));
        assertThat(event.reason()).isEqualTo(FailureReason.BACKEND_ERROR);
        assertThat(event.message())
                .isEqualTo("Lambda function my-function:$LATEST failed (function error Unhandled, 3 invocation"
                        + " attempts): its CloudWatch Logs say why, and so does ingest-service's log")
                .doesNotContain("Process exited");
        assertMatchesSchema("job-status-changed", event);
    }

    @Test
    void retriesExhaustedOnAHandledErrorNamesTheErrorTypeNotItsMessage() {
        JobStatusChanged event =
                statusChange(reader.read(lambdaRecordOfOurJob("lambda/on-failure-retries-exhausted-handled.json")
                        .toString()));

        assertThat(event.status()).isEqualTo(JobStatus.FAILED);
        assertThat(event.occurredAt()).isEqualTo(Instant.parse("2019-11-24T21:52:47.333Z"));
        assertThat(event.reason()).isEqualTo(FailureReason.BACKEND_ERROR);
        assertThat(event.message())
                .isEqualTo("Lambda function event-destinations:$LATEST failed (Error, 3 invocation attempts): its"
                        + " CloudWatch Logs say why, and so does ingest-service's log")
                .doesNotContain("I am failing");
    }

    @Test
    void ourHandlersErrorInTheDocumentedFailureRecordKeepsItsReasonAndSentence() {
        // also substituted: the error object our handler's exception becomes (the Java runtime names its class)
        ObjectNode record = lambdaRecordOfOurJob("lambda/on-failure-retries-exhausted-handled.json");
        ObjectNode error = JSON.createObjectNode();
        error.put("errorMessage", "INVALID_INPUT: the input is not a PNG or JPEG image");
        error.put("errorType", "io.infermesh.worker.lambda.JobFailedException");
        error.set("stackTrace", JSON.createArrayNode().add("io.infermesh.worker.lambda.Handler.handleRequest"));
        record.set("responsePayload", error);

        JobStatusChanged event = statusChange(reader.read(record.toString()));

        assertThat(event.reason()).isEqualTo(FailureReason.INVALID_INPUT);
        assertThat(event.message())
                .isEqualTo("Lambda function event-destinations:$LATEST could not do the job (3 invocation attempts):"
                        + " the input is not a PNG or JPEG image");
    }

    @Test
    void anEventOlderThanItsMaximumAgeFailsAsThrottledWithoutAnInvocation() {
        JobStatusChanged event =
                statusChange(reader.read(lambdaRecordOfOurJob("lambda/on-failure-event-age-exceeded.json")
                        .toString()));

        assertThat(event.status()).isEqualTo(JobStatus.FAILED);
        assertThat(event.reason()).isEqualTo(FailureReason.THROTTLED);
        assertThat(event.message())
                .startsWith("AWS Lambda did not run function my-function:$LATEST before the event's maximum age");
        assertMatchesSchema("job-status-changed", event);
    }

    @Test
    void aSuccessWhoseResponseIsNotOurResultIsRefusedSayingSo() {
        // the page's responsePayload is a placeholder string: what a function other than our handler returns
        ObjectNode record = lambdaRecordOfOurJob("lambda/on-success.json");

        assertThatThrownBy(() -> reader.read(record.toString()))
                .isInstanceOf(MalformedNotificationException.class)
                .hasMessage("the responsePayload of a successful invocation of job " + JOB_ID
                        + " is not a JobResult object");
    }

    @Test
    void aSuccessOfOurHandlerBecomesSucceededWithItsResult() {
        // also substituted: the responsePayload, what our handler returns (a JobResult)
        ObjectNode record = lambdaRecordOfOurJob("lambda/on-success.json");
        JsonNode returned = JSON.valueToTree(CloudBackendExamples.returned(cast(lambdaJob)));
        ((ObjectNode) returned).put("executionProvider", "CPU");
        record.set("responsePayload", returned);

        var change = (BackendReport.StatusChange) reader.read(record.toString());

        JobStatusChanged event = change.event();
        assertThat(event.eventId()).isEqualTo(JOB_ID + "/2/SUCCEEDED");
        assertThat(event.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(event.occurredAt()).isEqualTo(Instant.parse("2019-11-24T23:08:25.651Z"));
        assertThat(event.predictions()).containsExactly(new Prediction("7", 0.981), new Prediction("1", 0.012));
        assertThat(event.message()).startsWith("Lambda function event-destinations:$LATEST returned the result");
        assertThat(change.result()).isNotNull();
        assertThat(change.result().jobId()).isEqualTo(JOB_ID);
        assertThat(change.result().backend()).isEqualTo(Backend.LAMBDA);
        assertThat(change.result().executionProvider())
                .as("what the worker reported")
                .isEqualTo("CPU");
        assertMatchesSchema("job-status-changed", event);
        assertMatchesSchema("job-result", change.result());
    }

    @Test
    void theDocumentedRecordReadsTheSameInsideAnSnsEnvelopeAndAsAnEventBridgeDetail() {
        ObjectNode record = lambdaRecordOfOurJob("lambda/on-failure-retries-exhausted-unhandled.json");
        JobStatusChanged direct = statusChange(reader.read(record.toString()));

        // SNS and SQS destinations: "the invocation record is passed as the Message"; EventBridge: "as the detail",
        // source "lambda", detail-type "Lambda Function Invocation Result – Failure" (as the Lambda guide writes it)
        String sns = CloudBackendExamples.snsEnvelope(record.toString());
        ObjectNode eventBridge = JSON.createObjectNode();
        eventBridge.put("version", "0");
        eventBridge.put("id", "d1b2c3a4-0000-xmpl-0000-a18cdf61200e");
        eventBridge.put("detail-type", "Lambda Function Invocation Result – Failure");
        eventBridge.put("source", "lambda");
        eventBridge.put("account", "123456789012");
        eventBridge.put("time", "2019-11-14T18:16:05Z");
        eventBridge.put("region", "us-east-2");
        ArrayNode resources = eventBridge.putArray("resources");
        resources.add("arn:aws:events:us-east-2:123456789012:event-bus/default");
        resources.add("arn:aws:lambda:us-east-2:123456789012:function:my-function:$LATEST");
        eventBridge.set("detail", record);

        assertThat(statusChange(reader.read(sns))).isEqualTo(direct);
        assertThat(statusChange(reader.read(eventBridge.toString()))).isEqualTo(direct);
    }

    // --- AWS Batch "Batch Job State Change" events ---

    @ParameterizedTest
    @ValueSource(
            strings = {
                "batch/job-state-change-runnable.json",
                "batch/job-state-change-running.json",
                "batch/job-state-change-succeeded.json",
                "batch/job-state-change-failed.json"
            })
    void aDocumentedEventOfAnotherJobIsNotOurs(String file) {
        assertThat(reader.read(example(file))).isEqualTo(new BackendReport.NotOurs("foreign-batch-job"));
        assertThat(batchEvents.read(tree(file))).isEqualTo(new BackendReport.NotOurs("foreign-batch-job"));
    }

    @Test
    void ourJobStillQueuedSaysNothingNew() {
        assertThat(reader.read(batchEventOfOurJob("batch/job-state-change-runnable.json")
                        .toString()))
                .isEqualTo(new BackendReport.NothingNew("batch-job-queued"));
    }

    @Test
    void ourJobRunningBecomesRunningOnBatch() {
        var change = (BackendReport.StatusChange) reader.read(
                batchEventOfOurJob("batch/job-state-change-running.json").toString());

        JobStatusChanged event = change.event();
        assertThat(event.eventId()).isEqualTo(JOB_ID + "/1/RUNNING");
        assertThat(event.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(event.model()).isEqualTo("digits");
        assertThat(event.owner()).isEqualTo("alice");
        assertThat(event.backend()).isEqualTo(Backend.BATCH);
        assertThat(event.occurredAt()).as("the event's time").isEqualTo(Instant.parse("2022-01-11T23:37:40Z"));
        assertThat(change.result()).isNull();
        assertMatchesSchema("job-status-changed", event);
    }

    @Test
    void ourJobSucceededBecomesSucceededWithBatchsTimings() {
        var change = (BackendReport.StatusChange) reader.read(
                batchEventOfOurJob("batch/job-state-change-succeeded.json").toString());

        JobStatusChanged event = change.event();
        assertThat(event.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(event.backend()).isEqualTo(Backend.BATCH);
        assertThat(event.message()).isEqualTo("Batch job " + BATCH_JOB_ID + " succeeded after running 600.0 s");
        assertThat(event.timings().queueWaitMs()).as("createdAt → startedAt").isEqualTo(60_000L);
        assertThat(event.timings().totalMs()).as("createdAt → stoppedAt").isEqualTo(660_000L);
        assertThat(event.output())
                .as("the parameters do not say where the result is")
                .isNull();
        assertThat(change.result()).isNull();
        assertMatchesSchema("job-status-changed", event);
    }

    @Test
    void ourJobSucceededWithItsJobVariableAlsoGivesTheResult() {
        // also substituted, as the router's SubmitJob sets it: the INFERMESH_JOB container variable
        ObjectNode event = batchEventOfOurJob("batch/job-state-change-succeeded.json");
        ObjectNode variable = JSON.createObjectNode();
        variable.put("name", "INFERMESH_JOB");
        variable.put("value", JSON.writeValueAsString(batchJob));
        ((ArrayNode) event.get("detail").get("container").get("environment")).add(variable);

        var change = (BackendReport.StatusChange) reader.read(event.toString());

        assertThat(change.event().status()).isEqualTo(JobStatus.SUCCEEDED);
        JsonNode output = JSON.valueToTree(change.event().output());
        JsonNode submitted = JSON.valueToTree(batchJob);
        assertThat(output).as("where the router said").isEqualTo(submitted.get("output"));
        assertThat(change.result()).isNotNull();
        assertThat(change.result().backend()).isEqualTo(Backend.BATCH);
        assertThat(change.result().completedAt()).as("stoppedAt").isEqualTo(Instant.ofEpochMilli(1641944860058L));
        assertThat(change.result().predictions()).as("result.json holds them").isEmpty();
        assertMatchesSchema("job-result", change.result());
    }

    @Test
    void ourJobFailedNamesItsExitCodeAndLogStream() {
        JobStatusChanged event = statusChange(reader.read(
                batchEventOfOurJob("batch/job-state-change-failed.json").toString()));

        assertThat(event.status()).isEqualTo(JobStatus.FAILED);
        assertThat(event.reason()).isEqualTo(FailureReason.BACKEND_ERROR);
        assertThat(event.message())
                .isEqualTo("the worker in AWS Batch job event-test (" + BATCH_JOB_ID + ") on queue"
                        + " 'PexjEHappyPathCanary2JobQueue' exited with code 1: its CloudWatch Logs stream"
                        + " 'first-run-job-definition/default/0fa9e3a5e7cd4a9d8c5f2b1e6d7c8a90' says why");
        assertMatchesSchema("job-status-changed", event);
    }

    @Test
    void theDocumentedEventReadsTheSameInsideAnSnsEnvelope() {
        String event = batchEventOfOurJob("batch/job-state-change-failed.json").toString();

        assertThat(statusChange(reader.read(CloudBackendExamples.snsEnvelope(event))))
                .isEqualTo(statusChange(reader.read(event)));
    }

    // --- what ingest does with them: counted, or published ---

    @Test
    void theDocumentedReportsOfOthersAreCountedAsNotOursAndPublishNothing() {
        List<String> published = new CopyOnWriteArrayList<>();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        NotificationHandler handler = handler(published, meters);

        for (String file : List.of(
                "lambda/on-success.json",
                "lambda/on-failure-retries-exhausted-unhandled.json",
                "lambda/on-failure-retries-exhausted-handled.json",
                "lambda/on-failure-event-age-exceeded.json",
                "batch/job-state-change-runnable.json",
                "batch/job-state-change-running.json",
                "batch/job-state-change-succeeded.json",
                "batch/job-state-change-failed.json")) {
            assertThat(handler.handle(() -> reader.read(example(file)), "sqs"))
                    .as(file)
                    .isEqualTo(new NotificationHandler.Result(List.of(), 0, 1));
        }

        assertThat(ignored(meters, "foreign-lambda-record")).isEqualTo(4.0);
        assertThat(ignored(meters, "foreign-batch-job")).isEqualTo(4.0);
        assertThat(published).isEmpty();
    }

    @Test
    void ourJobsFailureInTheDocumentedRecordIsPublishedOnTheLifecycle() {
        List<String> published = new CopyOnWriteArrayList<>();
        NotificationHandler handler = handler(published, new SimpleMeterRegistry());
        String record = lambdaRecordOfOurJob("lambda/on-failure-retries-exhausted-unhandled.json")
                .toString();

        assertThat(handler.handle(() -> reader.read(record), "sqs"))
                .isEqualTo(new NotificationHandler.Result(List.of(JOB_ID), 0, 0));
        assertThat(published).containsExactly(Topics.JOBS_LIFECYCLE.name());
    }

    private static double ignored(SimpleMeterRegistry meters, String reason) {
        return meters.counter("infermesh.ingest.records.ignored", "intake", "sqs", "reason", reason)
                .count();
    }

    /** The handler every intake path uses, its events recorded by topic instead of sent to a broker. */
    private static NotificationHandler handler(List<String> published, SimpleMeterRegistry meters) {
        StreamOperations topics = new StreamOperations() {
            @Override
            public boolean send(String bindingName, Object data) {
                published.add(bindingName);
                return true;
            }

            @Override
            public boolean send(String bindingName, Object data, MimeType outputContentType) {
                return send(bindingName, data);
            }

            @Override
            public boolean send(String bindingName, String binderName, Object data) {
                return send(bindingName, data);
            }

            @Override
            public boolean send(String bindingName, String binderName, Object data, MimeType outputContentType) {
                return send(bindingName, data);
            }
        };
        LifecycleFollower lifecycle = new LifecycleFollower(
                JSON, 100, Duration.ofSeconds(5), meters.counter("infermesh.ingest.lifecycle.unreadable"));
        return new NotificationHandler(
                JSON,
                new IngestProperties(null, 0, null, null, null),
                new JobEventSender(topics, JSON, "ingest-service"),
                lifecycle,
                meters);
    }

    @Test
    void theExamplesAreTheDocumentedShapes() {
        // a guard against editing the verbatim files: the fields the parsers rely on, where AWS put them
        JsonNode record = tree("lambda/on-failure-retries-exhausted-unhandled.json");
        assertThat(record.path("requestContext").path("condition").asString()).isEqualTo("RetriesExhausted");
        assertThat(record.path("responseContext").path("functionError").asString())
                .isEqualTo("Unhandled");
        assertThat(tree("lambda/on-success.json").path("responsePayload").isString())
                .isTrue();
        JsonNode batch = tree("batch/job-state-change-runnable.json");
        assertThat(batch.path("detail-type").asString()).isEqualTo("Batch Job State Change");
        assertThat(batch.path("detail").path("parameters").isEmpty()).isTrue();
        List<String> fields = List.of("jobArn", "jobName", "jobId", "jobQueue", "status", "container", "parameters");
        assertThat(fields).allMatch(field -> batch.path("detail").has(field));
    }
}
