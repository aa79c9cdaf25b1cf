package io.infermesh.ingest.notification;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.Prediction;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads AWS Lambda asynchronous-invocation destination records (on-success and on-failure destinations) of the
 * jobs the router invoked: {@code requestPayload} is the {@link JobDispatched} it sent, {@code responsePayload} the
 * {@link JobResult} the function returned, or its error.
 * <ul>
 * <li>{@code condition} {@code Success} without {@code responseContext.functionError}: SUCCEEDED, with the output,
 * predictions, timings and cost of the response (missing ones filled from the request), and a {@link JobResult};</li>
 * <li>anything else: FAILED with the request's input (so that the router can re-dispatch the job elsewhere), a
 * {@linkplain #reason reason} and a message naming the function, the error and the invocation count;</li>
 * <li>a {@code requestPayload} that is not an infermesh job: {@link BackendReport.NotOurs}.</li>
 * </ul>
 */
public final class LambdaDestinationRecords {

    private static final Logger log = LoggerFactory.getLogger(LambdaDestinationRecords.class);

    static final String FOREIGN = "foreign-lambda-record";

    private final RemoteJobPayload jobs;
    private final ObjectReader results;

    public LambdaDestinationRecords(JsonMapper json) {
        this.jobs = new RemoteJobPayload(json);
        // the response may omit what the request already says (attempt included): it is filled in from there
        this.results = json.readerFor(JobResult.class)
                .without(
                        DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                        DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    }

    /** Whether a JSON object has the shape of a destination record: a {@code requestContext} with a function ARN. */
    public static boolean isDestinationRecord(JsonNode root) {
        JsonNode context = root.get("requestContext");
        return context != null && context.isObject() && context.has("functionArn");
    }

    /**
     * What one destination record reports.
     *
     * @throws MalformedNotificationException when it lacks its condition or function, or is an infermesh job's
     *     record with a broken request or response
     */
    public BackendReport read(JsonNode record) {
        JsonNode context = record.path("requestContext");
        String functionArn = text(context, "functionArn");
        String condition = text(context, "condition");
        if (functionArn == null || condition == null) {
            throw new MalformedNotificationException(
                    "a Lambda destination record without requestContext.functionArn or requestContext.condition");
        }
        JsonNode request = record.get("requestPayload");
        if (!RemoteJobPayload.claimsToBeOurs(request)) {
            return new BackendReport.NotOurs(FOREIGN);
        }
        JobDispatched job = jobs.read(request, "requestPayload");
        Instant at = timestamp(record);
        String function = functionName(functionArn);
        JsonNode response = record.get("responsePayload");
        String functionError = text(record.path("responseContext"), "functionError");
        if ("Success".equals(condition) && functionError == null) {
            return succeeded(job, at, function, response);
        }
        int invocations =
                record.path("requestContext").path("approximateInvokeCount").asInt(0);
        return failed(job, at, function, condition, functionError, invocations, response);
    }

    private BackendReport succeeded(JobDispatched job, Instant at, String function, JsonNode response) {
        JobResult returned = returned(job, response);
        List<Prediction> predictions = returned == null ? null : returned.predictions();
        JobResult result = new JobResult(
                job.jobId(),
                job.model(),
                job.owner(),
                job.attempt(),
                Backend.LAMBDA,
                firstNonNull(returned == null ? null : returned.input(), job.input()),
                firstNonNull(returned == null ? null : returned.output(), job.output()),
                predictions == null ? List.of() : predictions,
                returned == null ? null : returned.timings(),
                firstNonNull(returned == null ? null : returned.completedAt(), at),
                firstNonNull(returned == null ? null : returned.estimatedCostUsd(), job.estimatedCostUsd()),
                returned == null ? null : returned.executionProvider());
        String message = "Lambda function " + function + " returned the result"
                + (predictions == null || predictions.isEmpty()
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                "; top answer '%s' with probability %.3f",
                                predictions.getFirst().label(),
                                predictions.getFirst().probability()));
        JobStatusChanged event = JobStatusChanged.of(
                        job.jobId(), job.model(), job.owner(), JobStatus.SUCCEEDED, job.attempt(), at)
                .withBackend(Backend.LAMBDA, null)
                .withInput(job.input())
                .withOutput(result.output())
                .withPredictions(predictions)
                .withTimings(result.timings())
                .withEstimatedCost(result.estimatedCostUsd())
                .withMessage(message);
        return new BackendReport.StatusChange(event, result.output() == null ? null : result);
    }

    /** The function's JobResult, checked against the request; null when it returned nothing. */
    private JobResult returned(JobDispatched job, JsonNode response) {
        if (response == null || response.isNull()) {
            return null;
        }
        if (!response.isObject()) {
            throw new MalformedNotificationException("the responsePayload of a successful invocation of job "
                    + job.jobId() + " is not a JobResult object");
        }
        JobResult returned;
        try {
            returned = results.readValue(response);
        } catch (JacksonException e) {
            throw new MalformedNotificationException(
                    "the responsePayload of job " + job.jobId() + " is not a JobResult: " + e.getOriginalMessage(), e);
        }
        if (returned.jobId() != null && !returned.jobId().equals(job.jobId())
                || response.has("attempt") && returned.attempt() != job.attempt()) {
            throw new MalformedNotificationException("the responsePayload is for job " + returned.jobId()
                    + " attempt " + returned.attempt() + " but the requestPayload for job " + job.jobId()
                    + " attempt " + job.attempt());
        }
        return returned;
    }

    private static BackendReport failed(
            JobDispatched job,
            Instant at,
            String function,
            String condition,
            String functionError,
            int invocations,
            JsonNode response) {
        String errorType = null;
        String errorMessage = null;
        if (response != null && response.isObject()) {
            errorType = text(response, "errorType");
            errorMessage = text(response, "errorMessage");
        } else if (response != null && response.isString()) {
            errorMessage = response.asString();
        }
        FailureReason reason = reason(condition, errorType, errorMessage);
        JobStatusChanged event = JobStatusChanged.of(
                        job.jobId(), job.model(), job.owner(), JobStatus.FAILED, job.attempt(), at)
                .withBackend(Backend.LAMBDA, null)
                .withInput(job.input())
                .withEstimatedCost(job.estimatedCostUsd())
                .withFailure(
                        reason,
                        sentence(job.model(), function, reason, functionError, invocations, errorType, errorMessage));
        log.info(
                "Lambda function {} failed job {} attempt {} ({}, {}): errorType={}, errorMessage={}",
                function,
                job.jobId(),
                job.attempt(),
                condition,
                functionError,
                errorType,
                errorMessage);
        return new BackendReport.StatusChange(event, null);
    }

    /**
     * Why an invocation failed, first match wins: TIMEOUT when the function timed out ({@code Sandbox.Timedout},
     * "Task timed out"); THROTTLED when the event expired before it could run ({@code EventAgeExceeded}) or the
     * error says throttling; the {@link FailureReason} the infermesh handler named as its error type or as the
     * prefix of its error message ({@code "INVALID_INPUT: ..."}, the Java handler's convention: the Java runtime
     * reports the exception's class as the error type); else BACKEND_ERROR.
     */
    static FailureReason reason(String condition, String errorType, String errorMessage) {
        String type = errorType == null ? "" : errorType;
        if ("Sandbox.Timedout".equals(type) || errorMessage != null && errorMessage.contains("Task timed out")) {
            return FailureReason.TIMEOUT;
        }
        String lower = type.toLowerCase(Locale.ROOT);
        if ("EventAgeExceeded".equals(condition) || lower.contains("throttl") || lower.contains("toomanyrequests")) {
            return FailureReason.THROTTLED;
        }
        return Arrays.stream(FailureReason.values())
                .filter(r -> r.name().equals(type) || errorMessage != null && errorMessage.startsWith(r.name() + ": "))
                .findFirst()
                .orElse(FailureReason.BACKEND_ERROR);
    }

    /**
     * The failure in a sentence for the job's message: what happened and what to do, naming the function and how
     * often Lambda tried. The infermesh handler's own sentence (the message after its {@code "REASON: "} prefix) is
     * kept; the Lambda runtime's or a foreign exception's text ("Task timed out after 3.00 seconds", "RequestId: …
     * Error: Runtime exited …") goes to the log, never into the event: at most its error type is named.
     */
    static String sentence(
            String model,
            String function,
            FailureReason reason,
            String functionError,
            int invocations,
            String errorType,
            String errorMessage) {
        String attempts = invocations + " invocation attempt" + (invocations == 1 ? "" : "s");
        String own = ownSentence(reason, errorType, errorMessage);
        if (own != null) {
            return "Lambda function " + function + " could not do the job (" + attempts + "): " + own;
        }
        if (reason == FailureReason.TIMEOUT) {
            return "AWS Lambda stopped function " + function + " when it reached its timeout (" + attempts + "):"
                    + " raise the function's timeout, or let model '" + model + "' run on AWS Batch (placement.mode"
                    + " batch or lambda-batch in its card) if it needs longer";
        }
        if (reason == FailureReason.THROTTLED) {
            return invocations == 0
                    ? "AWS Lambda did not run function " + function + " before the event's maximum age: the function"
                            + " was throttled or out of concurrency; raise its reserved concurrency, or retry the job"
                    : "AWS Lambda throttled function " + function + " (" + attempts + "): raise its reserved"
                            + " concurrency, or retry the job";
        }
        if ("Runtime.OutOfMemory".equals(errorType)) {
            return "Lambda function " + function + " ran out of memory (" + attempts + "): give the function more"
                    + " memory (and resources.memoryMb in the card of model '" + model + "')";
        }
        String what = errorType != null
                ? errorType
                : functionError != null ? "function error " + functionError : "no error details";
        return "Lambda function " + function + " failed (" + what + ", " + attempts + "): its CloudWatch Logs say"
                + " why, and so does ingest-service's log";
    }

    /**
     * The infermesh handler's sentence, when the error is the handler's: its message after the {@code "REASON: "}
     * prefix, or its message when the error type is the reason itself.
     */
    private static String ownSentence(FailureReason reason, String errorType, String errorMessage) {
        String prefix = reason.name() + ": ";
        if (errorMessage == null || errorMessage.isBlank()) {
            return null;
        }
        if (errorMessage.startsWith(prefix) && errorMessage.length() > prefix.length()) {
            return errorMessage.substring(prefix.length());
        }
        return reason.name().equals(errorType) ? errorMessage : null;
    }

    /** {@code name:qualifier} of {@code arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]}. */
    static String functionName(String functionArn) {
        String[] parts = functionArn.split(":");
        if (parts.length >= 7 && "function".equals(parts[5])) {
            return String.join(":", Arrays.copyOfRange(parts, 6, parts.length));
        }
        return functionArn;
    }

    private static Instant timestamp(JsonNode record) {
        String timestamp = text(record, "timestamp");
        return timestamp == null ? Instant.now() : S3EventRecords.instant(timestamp, "timestamp");
    }

    private static <T> T firstNonNull(T first, T second) {
        return first != null ? first : second;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null
                        || !value.isValueNode()
                        || value.isNull()
                        || value.asString().isEmpty()
                ? null
                : value.asString();
    }
}
