package io.infermesh.router.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.localinfra.MotoAws;
import io.infermesh.localinfra.MotoServer;
import io.infermesh.router.backend.BackendException;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Instant;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 17: what AWS answers when it refuses a Lambda invocation or a Batch submission becomes the job's message
 * (a RUNNABLE's reason when another backend takes the job, else its FAILED message), so each refusal must be a
 * sentence a person understands — what failed, on which function or queue, what to do — with at most AWS's error
 * code and HTTP status, never AWS's or the SDK's own text (that goes to the router's log). Real AWS SDK v2 against
 * moto where moto gives the real answer (a missing queue or job definition), through {@link FaultyProxy} in AWS's
 * error format where moto cannot (a missing function: moto's Lambda without Docker accepts any name; permissions,
 * credentials, throttling, faults).
 */
@ExtendWith(MotoServer.class)
class CloudBackendRefusalsTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    @Test
    void aLambdaFunctionThatDoesNotExistIsRefusedNamingTheFunctionAndTheCard() throws IOException {
        // moto's Lambda without Docker accepts an invocation of any name: AWS's answer for a missing function
        String function = name("infermesh-absent");
        try (FaultyProxy proxy = new FaultyProxy();
                LambdaClient client = lambdaThrough(proxy)) {
            proxy.refuse(
                    "/2015-03-31/functions",
                    404,
                    "ResourceNotFoundException",
                    "Function not found:" + " arn:aws:lambda:us-east-1:123456789012:function:" + function);
            assertRefused(
                    () -> new LambdaBackend(client, JSON).dispatch(job(Backend.LAMBDA), lambda(function)),
                    BackendException.Kind.REJECTED,
                    "function '" + function + "' does not exist in this AWS account"
                            + " and region (ResourceNotFoundException, HTTP 404): create it, or correct"
                            + " placement.lambda in the card of model 'digits'");
        }
    }

    @Test
    void aLambdaInvocationTheRouterIsNotAllowedToMakeNamesThePermissionItNeeds() throws IOException {
        String function = existingFunction();
        try (FaultyProxy proxy = new FaultyProxy();
                LambdaClient client = lambdaThrough(proxy)) {
            proxy.refuse(
                    "/2015-03-31/functions",
                    403,
                    "AccessDeniedException",
                    "User: arn:aws:iam::123456789012:"
                            + "user/router is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:"
                            + "us-east-1:123456789012:function:" + function
                            + " because no identity-based policy allows it");
            assertRefused(
                    () -> new LambdaBackend(client, JSON).dispatch(job(Backend.LAMBDA), lambda(function)),
                    BackendException.Kind.REJECTED,
                    "the router is not allowed to invoke function '" + function
                            + "' (AccessDeniedException, HTTP 403): its AWS credentials need lambda:InvokeFunction on"
                            + " function '" + function + "'");
        }
    }

    @Test
    void credentialsAwsDoesNotAcceptAreNamedAsTheRoutersCredentials() throws IOException {
        String function = existingFunction();
        try (FaultyProxy proxy = new FaultyProxy();
                LambdaClient client = lambdaThrough(proxy)) {
            proxy.refuse(
                    "/2015-03-31/functions",
                    403,
                    "UnrecognizedClientException",
                    "The security token included in the request is invalid.");
            assertRefused(
                    () -> new LambdaBackend(client, JSON).dispatch(job(Backend.LAMBDA), lambda(function)),
                    BackendException.Kind.REJECTED,
                    "AWS did not accept the router's credentials when it tried to"
                            + " invoke function '" + function + "' (UnrecognizedClientException, HTTP 403): check"
                            + " infermesh.router.aws.access-key-id and secret-access-key, or the credentials the AWS"
                            + " SDK finds in its default chain");
        }
    }

    @Test
    void aThrottledLambdaInvocationSaysTheLimitIsUsedUpForNow() throws IOException {
        String function = existingFunction();
        try (FaultyProxy proxy = new FaultyProxy();
                LambdaClient client = lambdaThrough(proxy)) {
            proxy.throttle(true);
            assertRefused(
                    () -> new LambdaBackend(client, JSON).dispatch(job(Backend.LAMBDA), lambda(function)),
                    BackendException.Kind.THROTTLED,
                    "AWS Lambda throttled the router's request to invoke function '"
                            + function + "' (TooManyRequestsException, HTTP 429): the concurrency or request rate"
                            + " allowed is used up for now");
        }
    }

    @Test
    void aFaultOnAwssSideIsTransientAndSaysSo() throws IOException {
        String function = existingFunction();
        try (FaultyProxy proxy = new FaultyProxy();
                LambdaClient client = lambdaThrough(proxy)) {
            proxy.refuse(
                    "/2015-03-31/functions",
                    500,
                    "ServiceException",
                    "An internal error occurred (request 2f6e9c1a-0d7e-4b8e-9f51-7c1c0e6a1a11)");
            assertRefused(
                    () -> new LambdaBackend(client, JSON).dispatch(job(Backend.LAMBDA), lambda(function)),
                    BackendException.Kind.TRANSIENT,
                    "AWS Lambda failed to invoke function '" + function
                            + "' (ServiceException, HTTP 500): a fault on AWS's side, usually brief");
        }
    }

    @Test
    void anAwsEndpointThatDoesNotAnswerIsTransientAndNamesTheEndpointSetting() throws IOException {
        URI nowhere;
        try (ServerSocket socket = new ServerSocket(0)) {
            nowhere = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        try (LambdaClient client = LambdaClient.builder()
                .endpointOverride(nowhere)
                .region(MotoServer.REGION)
                .credentialsProvider(MotoServer.credentials())
                .overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(1)))
                .build()) {
            assertRefused(
                    () -> new LambdaBackend(client, JSON).dispatch(job(Backend.LAMBDA), lambda("infermesh-digits")),
                    BackendException.Kind.TRANSIENT,
                    "the router could not reach AWS"
                            + " Lambda to invoke function 'infermesh-digits': no answer from its endpoint (network,"
                            + " DNS, or infermesh.router.aws.endpoint and region)");
        }
    }

    @Test
    void aBatchQueueThatDoesNotExistIsRefusedNamingTheQueueAndTheCard() {
        String queue = name("infermesh-cpu");
        MotoAws.queue(queue, queue + "-worker");
        String absent = name("infermesh-nowhere");
        try (BatchClient client = MotoAws.batch()) {
            assertRefused(
                    () -> new BatchBackend(client, JSON).dispatch(job(Backend.BATCH), batch(absent, queue + "-worker")),
                    BackendException.Kind.REJECTED,
                    "job queue '" + absent
                            + "' does not exist in this AWS account and region (ClientException, HTTP 400): create"
                            + " it, or correct placement.batch in the card of model 'digits'");
        }
    }

    @Test
    void aBatchJobDefinitionThatDoesNotExistIsRefusedNamingTheDefinitionAndTheCard() {
        String queue = name("infermesh-cpu");
        MotoAws.queue(queue, queue + "-worker");
        String absent = name("infermesh-undefined") + ":3";
        try (BatchClient client = MotoAws.batch()) {
            assertRefused(
                    () -> new BatchBackend(client, JSON).dispatch(job(Backend.BATCH), batch(queue, absent)),
                    BackendException.Kind.REJECTED,
                    "job definition '" + absent
                            + "' does not exist in this AWS account and region, or is inactive (ClientException,"
                            + " HTTP 400): register it, or correct placement.batch in the card of model 'digits'");
        }
    }

    @Test
    void aBatchSubmissionTheRouterIsNotAllowedToMakeNamesThePermissionItNeeds() throws IOException {
        String queue = name("infermesh-cpu");
        MotoAws.queue(queue, queue + "-worker");
        try (FaultyProxy proxy = new FaultyProxy();
                BatchClient client = BatchClient.builder()
                        .endpointOverride(proxy.endpoint())
                        .region(MotoServer.REGION)
                        .credentialsProvider(MotoServer.credentials())
                        .build()) {
            proxy.refuse(
                    "/v1/submitjob",
                    403,
                    "AccessDeniedException",
                    "User: arn:aws:iam::123456789012:user/router"
                            + " is not authorized to perform: batch:SubmitJob on resource: arn:aws:batch:us-east-1:"
                            + "123456789012:job-queue/" + queue);
            assertRefused(
                    () -> new BatchBackend(client, JSON).dispatch(job(Backend.BATCH), batch(queue, queue + "-worker")),
                    BackendException.Kind.REJECTED,
                    "the router is not allowed to"
                            + " submit the job to queue '" + queue + "' with job definition '" + queue + "-worker'"
                            + " (AccessDeniedException, HTTP 403): its AWS credentials need batch:SubmitJob on job"
                            + " queue '" + queue + "' and job definition '" + queue + "-worker'");
        }
    }

    /** The refusal's kind and sentence, and none of AWS's or the SDK's own words. */
    private static void assertRefused(ThrowingCallable dispatch, BackendException.Kind kind, String sentence) {
        assertThatThrownBy(dispatch).isInstanceOfSatisfying(BackendException.class, e -> {
            assertThat(e.getMessage()).isEqualTo(sentence);
            assertThat(e.kind()).isEqualTo(kind);
            assertThat(e.getMessage())
                    .doesNotContain(
                            "arn:aws",
                            "Service:",
                            "Status Code",
                            "Request ID",
                            "not found",
                            "Unable to",
                            "Connection refused",
                            "Rate Exceeded",
                            "internal error",
                            "security token",
                            "not authorized");
        });
    }

    private static String existingFunction() {
        String function = name("infermesh-digits");
        MotoAws.function(function);
        return function;
    }

    private static LambdaClient lambdaThrough(FaultyProxy proxy) {
        return LambdaClient.builder()
                .endpointOverride(proxy.endpoint())
                .region(MotoServer.REGION)
                .credentialsProvider(MotoServer.credentials())
                .overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(1)))
                .build();
    }

    private static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static JobDispatched job(Backend backend) {
        String jobId = UUID.randomUUID().toString();
        return new JobDispatched(
                jobId,
                "digits",
                "alice",
                new ObjectRef("inbox", "digits/alice/seven.png", "v1", "e1", 123L, "image/png"),
                1,
                null,
                NOW,
                NOW,
                0.000001,
                backend,
                ObjectRef.of("inbox", "results/digits/alice/" + jobId + "/result.json"),
                null);
    }

    private static ModelCard lambda(String function) {
        return card(new ModelCard.LambdaTarget(function, null), null);
    }

    private static ModelCard batch(String queue, String definition) {
        return card(null, new ModelCard.BatchTarget(queue, definition));
    }

    private static ModelCard card(ModelCard.LambdaTarget lambda, ModelCard.BatchTarget batch) {
        return new ModelCard(
                "digits",
                "1",
                "d",
                "model.onnx",
                null,
                null,
                new ModelCard.Resources(1_000_000L, 120, 2048, 1, 0, 0.5),
                new ModelCard.Placement("lambda-batch", null, null, lambda, batch));
    }
}
