package io.infermesh.ingest.notification;

import static io.infermesh.ingest.notification.CloudBackendExamples.JSON;
import static io.infermesh.ingest.notification.CloudBackendExamples.assertMatchesSchema;
import static io.infermesh.ingest.notification.CloudBackendExamples.job;
import static io.infermesh.ingest.notification.CloudBackendExamples.lambdaEventAgeExceeded;
import static io.infermesh.ingest.notification.CloudBackendExamples.lambdaFailure;
import static io.infermesh.ingest.notification.CloudBackendExamples.lambdaSuccess;
import static io.infermesh.ingest.notification.CloudBackendExamples.returned;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.Prediction;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.node.ObjectNode;

class LambdaDestinationRecordsTests {

    static final String JOB_ID = "0f8fad5b-d9cb-369f-a165-70867728950e";
    static final Instant RECORDED = Instant.parse("2026-11-22T18:16:05.568Z");
    private final LambdaDestinationRecords records = new LambdaDestinationRecords(JSON);
    private final JobDispatched job = job(JOB_ID, 1, Backend.LAMBDA);

    @Test
    void aRequestPayloadWithEveryFieldOfTheOneRecordAndOneOfTheFormerRemoteJobShapeAreBothRead() {
        JobDispatched full = new JobDispatched(
                JOB_ID,
                "digits",
                "alice",
                job.input(),
                1,
                "cheapest backend that meets the deadline",
                CloudBackendExamples.REQUESTED,
                CloudBackendExamples.REQUESTED,
                0.0000018,
                Backend.LAMBDA,
                job.output(),
                CloudBackendExamples.REQUESTED.plusSeconds(60));
        ObjectNode former = JSON.valueToTree(full);
        former.remove(List.of("placementReason", "deadline"));

        for (Object request : List.of(full, former)) {
            JobStatusChanged event =
                    statusChange(lambdaSuccess(request, returned(job))).event();

            assertThat(event.eventId()).as(request.toString()).isEqualTo(JOB_ID + "/1/SUCCEEDED");
            assertThat(event.input()).isEqualTo(job.input());
            assertThat(event.estimatedCostUsd()).isEqualTo(0.0000018);
        }
    }

    @Test
    void aSuccessRecordBecomesSucceededWithTheFunctionsResult() {
        JobResult returned = returned(job);

        var change = statusChange(lambdaSuccess(job, returned));

        JobStatusChanged event = change.event();
        assertThat(event.eventId()).isEqualTo(JOB_ID + "/1/SUCCEEDED");
        assertThat(event.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(event.attempt()).isEqualTo(1);
        assertThat(event.model()).isEqualTo("digits");
        assertThat(event.owner()).isEqualTo("alice");
        assertThat(event.backend()).isEqualTo(Backend.LAMBDA);
        assertThat(event.occurredAt()).isEqualTo(RECORDED);
        assertThat(event.input()).isEqualTo(job.input());
        assertThat(event.output()).isEqualTo(returned.output());
        assertThat(event.predictions()).containsExactly(new Prediction("7", 0.981), new Prediction("1", 0.012));
        assertThat(event.timings()).isEqualTo(returned.timings());
        assertThat(event.estimatedCostUsd()).as("the function's figure first").isEqualTo(0.0000018);
        assertThat(event.reason()).isNull();
        assertThat(event.message())
                .contains("infermesh-digits:$LATEST")
                .contains("'7'")
                .contains("0.981");
        assertThat(change.result())
                .isEqualTo(new JobResult(
                        JOB_ID,
                        "digits",
                        "alice",
                        1,
                        Backend.LAMBDA,
                        job.input(),
                        returned.output(),
                        returned.predictions(),
                        returned.timings(),
                        returned.completedAt(),
                        0.0000018));
        assertMatchesSchema("job-status-changed", event);
        assertMatchesSchema("job-result", change.result());
    }

    @Test
    void whatTheResponseLacksIsFilledFromTheRequest() {
        var change = statusChange(lambdaSuccess(
                job,
                Map.of("predictions", List.of(Map.of("label", "7", "probability", 0.9)), "futureField", "ignored")));

        assertThat(change.event().output()).isEqualTo(job.output());
        assertThat(change.event().estimatedCostUsd()).isEqualTo(job.estimatedCostUsd());
        assertThat(change.result())
                .isEqualTo(new JobResult(
                        JOB_ID,
                        "digits",
                        "alice",
                        1,
                        Backend.LAMBDA,
                        job.input(),
                        job.output(),
                        List.of(new Prediction("7", 0.9)),
                        null,
                        RECORDED,
                        job.estimatedCostUsd()));
        assertMatchesSchema("job-result", change.result());
    }

    @Test
    void aSuccessWithoutAResponseStillSucceedsWithTheRequestedOutput() {
        var change = statusChange(lambdaSuccess(job, null));

        assertThat(change.event().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(change.event().output()).isEqualTo(job.output());
        assertThat(change.event().predictions()).isNull();
        assertThat(change.result().predictions())
                .as("required by the schema; result.json has them")
                .isEmpty();
        assertMatchesSchema("job-result", change.result());
    }

    @Test
    void aTimeoutBecomesFailedTimeoutWithTheInputTheRouterNeedsForTheNextAttempt() {
        var change = statusChange(lambdaFailure(
                job,
                "RetriesExhausted",
                "Sandbox.Timedout",
                "2026-11-22T18:16:05.568Z e4b46cbf Task timed out after 3.00 seconds",
                3));

        JobStatusChanged event = change.event();
        assertThat(event.eventId()).isEqualTo(JOB_ID + "/1/FAILED");
        assertThat(event.status()).isEqualTo(JobStatus.FAILED);
        assertThat(event.backend()).isEqualTo(Backend.LAMBDA);
        assertThat(event.reason()).isEqualTo(FailureReason.TIMEOUT);
        assertThat(event.input()).isEqualTo(job.input());
        assertThat(event.output()).isNull();
        assertThat(event.estimatedCostUsd()).isEqualTo(job.estimatedCostUsd());
        assertThat(event.message())
                .as("what happened and what to do, not the Lambda runtime's words")
                .isEqualTo("AWS Lambda stopped function infermesh-digits:$LATEST when it reached its timeout (3"
                        + " invocation attempts): raise the function's timeout, or let model 'digits' run on AWS Batch"
                        + " (placement.mode batch or lambda-batch in its card) if it needs longer");
        assertThat(change.result()).isNull();
        assertMatchesSchema("job-status-changed", event);
    }

    @Test
    void anExpiredEventWithoutAnyResponseIsThrottled() {
        var event = statusChange(lambdaEventAgeExceeded(job)).event();

        assertThat(event.reason()).isEqualTo(FailureReason.THROTTLED);
        assertThat(event.input()).isEqualTo(job.input());
        assertThat(event.message())
                .isEqualTo("AWS Lambda did not run function infermesh-digits:$LATEST before the event's maximum age:"
                        + " the function was throttled or out of concurrency; raise its reserved concurrency, or retry"
                        + " the job");
    }

    @Test
    void theInfermeshHandlersOwnReasonIsKept() {
        var event = statusChange(lambdaFailure(
                        job,
                        "RetriesExhausted",
                        "INVALID_INPUT",
                        "model 'digits' cannot read s3://infermesh/inbox/digits/alice/seven 7.png: not a PNG or JPEG image",
                        1))
                .event();

        assertThat(event.reason()).isEqualTo(FailureReason.INVALID_INPUT);
        assertThat(event.message())
                .isEqualTo("Lambda function infermesh-digits:$LATEST could not do the job (1 invocation attempt):"
                        + " model 'digits' cannot read s3://infermesh/inbox/digits/alice/seven 7.png: not a PNG or JPEG"
                        + " image");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(
            delimiter = '|',
            nullValues = "-",
            value = {
                "Runtime.ExitError | RequestId: e4b4 Error: Runtime exited with error: exit status 1 |"
                        + " Lambda function infermesh-digits:$LATEST failed (Runtime.ExitError, 2 invocation attempts):"
                        + " its CloudWatch Logs say why, and so does ingest-service's log",
                "Runtime.OutOfMemory | RequestId: e4b4 Error: Runtime exited with error: signal: killed |"
                        + " Lambda function infermesh-digits:$LATEST ran out of memory (2 invocation attempts): give"
                        + " the function more memory (and resources.memoryMb in the card of model 'digits')",
                "java.lang.IllegalStateException | java.lang.IllegalStateException: Connection pool shut down |"
                        + " Lambda function infermesh-digits:$LATEST failed (java.lang.IllegalStateException, 2"
                        + " invocation attempts): its CloudWatch Logs say why, and so does ingest-service's log",
                "io.infermesh.worker.lambda.JobFailedException | MODEL_ERROR: model 'digits' failed on"
                        + " its input |"
                        + " Lambda function infermesh-digits:$LATEST could not do the job (2 invocation attempts): model"
                        + " 'digits' failed on its input"
            })
    void everyOtherFailureIsASentenceWithoutTheRuntimesWords(String errorType, String errorMessage, String sentence) {
        var event = statusChange(lambdaFailure(job, "RetriesExhausted", errorType, errorMessage, 2))
                .event();

        assertThat(event.message()).isEqualTo(sentence);
        if (!errorMessage.startsWith("MODEL_ERROR")) {
            assertThat(event.message()).doesNotContain(errorMessage.substring(errorMessage.indexOf(' ') + 1));
        }
    }

    @ParameterizedTest(name = "{0} / {1} / {2} -> {3}")
    @CsvSource(
            nullValues = "-",
            value = {
                "RetriesExhausted, Sandbox.Timedout,            -,                                     TIMEOUT",
                "RetriesExhausted, Runtime.ExitError,           2026-11-22 e4b4 Task timed out after 3.00 seconds, TIMEOUT",
                "EventAgeExceeded, -,                           -,                                     THROTTLED",
                "RetriesExhausted, Lambda.TooManyRequestsException, Rate exceeded,                     THROTTLED",
                "RetriesExhausted, ThrottlingException,         Rate exceeded,                         THROTTLED",
                "RetriesExhausted, MODEL_ERROR,                 shape mismatch,                        MODEL_ERROR",
                "RetriesExhausted, INPUT_TOO_LARGE,             5 MB,                                  INPUT_TOO_LARGE",
                "RetriesExhausted, invalid_input,               case matters,                          BACKEND_ERROR",
                "RetriesExhausted, io.infermesh.worker.lambda.JobFailedException, INVALID_INPUT: not a PNG, INVALID_INPUT",
                "RetriesExhausted, java.lang.RuntimeException,  INVALID_INPUTS are fine,               BACKEND_ERROR",
                "RetriesExhausted, Runtime.ExitError,           RequestId: e4b4 Error: Runtime exited, BACKEND_ERROR",
                "RetriesExhausted, Runtime.OutOfMemory,         -,                                     BACKEND_ERROR",
                "RetriesExhausted, -,                           -,                                     BACKEND_ERROR",
                "Success,          Runtime.Unknown,             function error on a Success record,    BACKEND_ERROR"
            })
    void failureReasonTable(String condition, String errorType, String errorMessage, FailureReason expected) {
        assertThat(LambdaDestinationRecords.reason(condition, errorType, errorMessage))
                .isEqualTo(expected);
        assertThat(statusChange(lambdaFailure(job, condition, errorType, errorMessage, 2))
                        .event()
                        .reason())
                .isEqualTo(expected);
    }

    @Test
    void aSuccessRecordWithAFunctionErrorIsAFailure() {
        var event = statusChange(lambdaFailure(job, "Success", "Runtime.Unknown", null, 1))
                .event();

        assertThat(event.status()).isEqualTo(JobStatus.FAILED);
        assertThat(event.message())
                .isEqualTo("Lambda function infermesh-digits:$LATEST failed (Runtime.Unknown, 1 invocation attempt):"
                        + " its CloudWatch Logs say why, and so does ingest-service's log");
    }

    @Test
    void recordsOfOtherFunctionsAreNotOurs() {
        assertThat(records.read(JSON.readTree(lambdaSuccess(Map.of("orderId", 42, "sku", "A-1"), "ok"))))
                .isEqualTo(new BackendReport.NotOurs("foreign-lambda-record"));
        assertThat(records.read(JSON.readTree(lambdaFailure("just a string", "RetriesExhausted", "Error", "x", 3))))
                .isEqualTo(new BackendReport.NotOurs("foreign-lambda-record"));
        assertThat(records.read(JSON.readTree("""
                {"version":"1.0","timestamp":"2026-11-22T18:16:05.568Z",
                 "requestContext":{"functionArn":"arn:aws:lambda:us-east-1:1:function:other","condition":"Success"}}
                """))).isEqualTo(new BackendReport.NotOurs("foreign-lambda-record"));
    }

    @Test
    void brokenRecordsAreMalformedSayingWhy() {
        assertThatThrownBy(() -> records.read(JSON.readTree("""
                {"requestContext":{"functionArn":"arn:aws:lambda:us-east-1:1:function:f"},"requestPayload":{}}""")))
                .isInstanceOf(MalformedNotificationException.class)
                .hasMessageContaining("requestContext.condition");
        assertThatThrownBy(() ->
                        records.read(JSON.readTree(lambdaSuccess(Map.of("jobId", JOB_ID, "model", "digits"), null))))
                .isInstanceOf(MalformedNotificationException.class)
                .hasMessageContaining("requestPayload looks like an infermesh JobDispatched but has no owner, attempt");
        assertThatThrownBy(() -> records.read(JSON.readTree(lambdaSuccess(
                        Map.of("jobId", JOB_ID, "model", "digits", "owner", "alice", "attempt", "two"), null))))
                .hasMessageContaining("requestPayload.attempt is not a positive integer");
        assertThatThrownBy(() -> records.read(JSON.readTree(lambdaSuccess(
                        Map.of("jobId", JOB_ID, "model", "Digits!", "owner", "alice", "attempt", 1), null))))
                .hasMessageContaining("requestPayload.model is not a model name");
        assertThatThrownBy(() -> records.read(JSON.readTree(lambdaSuccess(
                        Map.of(
                                "jobId",
                                JOB_ID,
                                "model",
                                "digits",
                                "owner",
                                "alice",
                                "attempt",
                                1,
                                "input",
                                "s3://not/an/object-ref"),
                        null))))
                .hasMessageContaining("requestPayload is not a JobDispatched");
        assertThatThrownBy(() -> records.read(JSON.readTree(lambdaSuccess(job, "done"))))
                .hasMessageContaining("is not a JobResult object");
        assertThatThrownBy(() -> records.read(JSON.readTree(lambdaSuccess(job, Map.of("predictions", "seven")))))
                .hasMessageContaining("is not a JobResult");
        assertThatThrownBy(() ->
                        records.read(JSON.readTree(lambdaSuccess(job, returned(job(JOB_ID, 2, Backend.LAMBDA))))))
                .hasMessageContaining("responsePayload is for job " + JOB_ID + " attempt 2")
                .hasMessageContaining("requestPayload for job " + JOB_ID + " attempt 1");
        assertThatThrownBy(() -> records.read(
                        JSON.readTree(lambdaSuccess(job, null).replace("2026-11-22T18:16:05.568Z", "yesterday"))))
                .hasMessageContaining("timestamp is not an ISO-8601 instant");
    }

    @Test
    void theFunctionIsNamedWithItsQualifier() {
        assertThat(LambdaDestinationRecords.functionName(
                        "arn:aws:lambda:us-east-1:123456789012:function:infermesh-digits:$LATEST"))
                .isEqualTo("infermesh-digits:$LATEST");
        assertThat(LambdaDestinationRecords.functionName("arn:aws:lambda:us-east-1:123456789012:function:f"))
                .isEqualTo("f");
        assertThat(LambdaDestinationRecords.functionName("not-an-arn")).isEqualTo("not-an-arn");
    }

    private BackendReport.StatusChange statusChange(String record) {
        BackendReport report = records.read(JSON.readTree(record));
        assertThat(report).isInstanceOf(BackendReport.StatusChange.class);
        return (BackendReport.StatusChange) report;
    }
}
