package io.infermesh.router.aws;

import io.infermesh.router.backend.BackendException;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns an AWS SDK failure into a {@link BackendException}: its {@link BackendException.Kind} decides retries and the
 * circuit breaker, its message is a sentence for people — it becomes the job's message (the RUNNABLE reason when
 * another backend takes the job, else the FAILED message): what the router tried, on which function or queue, what
 * to do, with at most AWS's error code and HTTP status. AWS's and the SDK's own text (an ARN, a request id, the
 * SDK's "Unable to execute HTTP request: …") is logged here, never put in the sentence.
 */
final class AwsErrors {

    private static final Logger log = LoggerFactory.getLogger(AwsErrors.class);

    /** Error codes AWS answers when it does not accept the caller's credentials or signature. */
    private static final Set<String> CREDENTIAL_CODES = Set.of(
            "UnrecognizedClientException",
            "InvalidSignatureException",
            "SignatureDoesNotMatch",
            "IncompleteSignature",
            "InvalidClientTokenId",
            "ExpiredToken",
            "ExpiredTokenException",
            "MissingAuthenticationToken",
            "MissingAuthenticationTokenException");

    /** What went wrong, as far as a person is concerned. */
    enum Problem {
        /** The function, queue or job definition is not there. */
        NOT_FOUND,
        /** AWS knows the caller but its policy does not allow the call. */
        DENIED,
        /** AWS does not accept the caller's credentials or signature. */
        CREDENTIALS,
        /** A limit of the account or the resource is used up for now. */
        THROTTLED,
        /** AWS failed (5xx). */
        FAULT,
        /** AWS refused the request as it is (any other 4xx). */
        INVALID,
        /** No answer: network, DNS, endpoint. */
        UNREACHABLE,
        /** The SDK found no credentials to sign with. */
        NO_CREDENTIALS
    }

    /**
     * What the router asked of AWS, in the words of its sentences.
     *
     * @param service the service, "AWS Lambda"
     * @param action what the router tried, completing "the router is not allowed to …": "invoke function 'f'"
     * @param subject what the permission is needed on: "function 'f'"
     * @param permission the IAM action the call needs: "lambda:InvokeFunction"
     * @param absent what a person reads when the subject is not there: "function 'f' does not exist in this AWS
     *     account and region"
     * @param remedy what to do then: "create it, or correct placement.lambda in the card of model 'digits'"
     * @param check what to look at when AWS refused the request as it is
     */
    record Call(
            String service,
            String action,
            String subject,
            String permission,
            String absent,
            String remedy,
            String check) {

        /** The same call, for a sentence about one of its parts that is missing. */
        Call missing(String absent, String remedy) {
            return new Call(service, action, subject, permission, absent, remedy, check);
        }
    }

    private AwsErrors() {}

    /** An asynchronous invocation of the card's function. */
    static Call invoke(String function, String qualifier, String model) {
        String name = "function '" + function + (qualifier == null || qualifier.isBlank() ? "" : ":" + qualifier) + "'";
        return new Call(
                "AWS Lambda",
                "invoke " + name,
                name,
                "lambda:InvokeFunction",
                name + " does not exist in this AWS account and region",
                "create it, or correct placement.lambda in the card of model '" + model + "'",
                "check placement.lambda in the card of model '" + model + "' and the function's configuration");
    }

    /** A job submitted to the card's queue with its job definition. */
    static Call submit(String queue, String definition, String model) {
        return new Call(
                "AWS Batch",
                "submit the job to queue '" + queue + "' with job definition '" + definition + "'",
                "job queue '" + queue + "' and job definition '" + definition + "'",
                "batch:SubmitJob",
                "job queue '" + queue + "' or job definition '" + definition + "' does not exist in this AWS account"
                        + " and region",
                "create it, or correct placement.batch in the card of model '" + model + "'",
                "check placement.batch in the card of model '" + model + "', the queue and the job definition");
    }

    /** {@code call} failed because the card's job queue is not there. */
    static Call noQueue(Call call, String queue, String model) {
        return call.missing(
                "job queue '" + queue + "' does not exist in this AWS account and region",
                "create it, or correct placement.batch in the card of model '" + model + "'");
    }

    /** {@code call} failed because the card's job definition is not there, or not usable. */
    static Call noDefinition(Call call, String definition, String model) {
        return call.missing(
                "job definition '" + definition + "' does not exist in this AWS account and region, or is"
                        + " inactive",
                "register it, or correct placement.batch in the card of model '" + model + "'");
    }

    /** The state of Batch jobs the router submitted (polling). */
    static Call describe(int jobs) {
        String what = jobs + " AWS Batch job" + (jobs == 1 ? "" : "s");
        return new Call(
                "AWS Batch",
                "describe " + what,
                what,
                "batch:DescribeJobs",
                what + " are not known",
                "nothing: they are polled again",
                "check the router's AWS settings");
    }

    /** The failure as a backend refusal whose message is a sentence; AWS's own text goes to the log. */
    static BackendException classify(Call call, SdkException e) {
        BackendException refusal;
        if (e instanceof AwsServiceException service) {
            String code = service.awsErrorDetails() == null
                    ? null
                    : service.awsErrorDetails().errorCode();
            refusal = refusal(call, problem(service, code), code, service.statusCode());
        } else if (e instanceof SdkClientException) {
            // the SDK's words are all it tells: "Unable to load credentials from any of the providers …"
            String text = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
            refusal =
                    refusal(call, text.contains("credentials") ? Problem.NO_CREDENTIALS : Problem.UNREACHABLE, null, 0);
        } else {
            refusal = refusal(call, e.retryable() ? Problem.UNREACHABLE : Problem.INVALID, null, 0);
        }
        log.warn("{} [{}]", refusal.getMessage(), e.toString());
        return refusal;
    }

    /** The refusal of {@code call} for {@code problem}: its kind and its sentence. */
    static BackendException refusal(Call call, Problem problem, String code, int status) {
        BackendException.Kind kind = switch (problem) {
            case THROTTLED -> BackendException.Kind.THROTTLED;
            case FAULT, UNREACHABLE, NO_CREDENTIALS -> BackendException.Kind.TRANSIENT;
            case NOT_FOUND, DENIED, CREDENTIALS, INVALID -> BackendException.Kind.REJECTED;
        };
        return new BackendException(kind, sentence(call, problem, code, status), null);
    }

    /** The sentence for {@code problem} in {@code call}, naming AWS's error code and HTTP status when known. */
    static String sentence(Call call, Problem problem, String code, int status) {
        String answer = code == null && status == 0
                ? ""
                : " (" + (code == null ? "" : code + ", ") + (status == 0 ? "" : "HTTP " + status) + ")";
        answer = answer.replace(", )", ")");
        return switch (problem) {
            case NOT_FOUND -> call.absent() + answer + ": " + call.remedy();
            case DENIED ->
                "the router is not allowed to " + call.action() + answer + ": its AWS credentials need "
                        + call.permission() + " on " + call.subject();
            case CREDENTIALS ->
                "AWS did not accept the router's credentials when it tried to " + call.action()
                        + answer
                        + ": check infermesh.router.aws.access-key-id and secret-access-key, or the credentials"
                        + " the AWS SDK finds in its default chain";
            case THROTTLED ->
                call.service() + " throttled the router's request to " + call.action() + answer
                        + ": the concurrency or request rate allowed is used up for now";
            case FAULT ->
                call.service() + " failed to " + call.action() + answer + ": a fault on AWS's side, usually brief";
            case INVALID ->
                call.service() + " refused to " + call.action() + answer + ": " + call.check()
                        + " (the router's log has AWS's explanation)";
            case UNREACHABLE ->
                "the router could not reach " + call.service() + " to " + call.action()
                        + ": no answer from its endpoint (network, DNS, or infermesh.router.aws.endpoint and region)";
            case NO_CREDENTIALS ->
                "the router found no AWS credentials to " + call.action()
                        + ": set infermesh.router.aws.access-key-id and secret-access-key, or provide credentials"
                        + " through the AWS SDK's default chain (environment, profile, role)";
        };
    }

    private static Problem problem(AwsServiceException e, String code) {
        int status = e.statusCode();
        String lower = code == null ? "" : code.toLowerCase(Locale.ROOT);
        if (e.isThrottlingException()
                || status == 429
                || lower.contains("toomanyrequests")
                || lower.contains("throttl")) {
            return Problem.THROTTLED;
        }
        if (status >= 500) {
            return Problem.FAULT;
        }
        if (code != null && CREDENTIAL_CODES.contains(code)) {
            return Problem.CREDENTIALS;
        }
        if (status == 403 || lower.contains("accessdenied") || lower.contains("notauthorized")) {
            return Problem.DENIED;
        }
        if (status == 404 || lower.equals("resourcenotfoundexception")) {
            return Problem.NOT_FOUND;
        }
        return Problem.INVALID;
    }
}
