package io.infermesh.router.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.router.backend.BackendException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * The sentences of refusals that {@link CloudBackendRefusalsTests} cannot provoke through a real SDK call, and the
 * classification of AWS's answers by code and status. AWS's own message never appears.
 */
class AwsErrorsTests {

    private static final AwsErrors.Call INVOKE = AwsErrors.invoke("infermesh-digits", "live", "digits");

    @Test
    void aQualifiedFunctionIsNamedWithItsQualifier() {
        BackendException refusal = AwsErrors.classify(
                INVOKE,
                service(
                        404,
                        "ResourceNotFoundException",
                        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:infermesh-digits:live"));

        assertThat(refusal.getMessage())
                .isEqualTo("function 'infermesh-digits:live' does not exist in this AWS"
                        + " account and region (ResourceNotFoundException, HTTP 404): create it, or correct placement.lambda"
                        + " in the card of model 'digits'");
    }

    @Test
    void aRequestAwsRefusesAsItIsPointsAtTheCardAndKeepsAwssWordsForTheLog() {
        BackendException refusal = AwsErrors.classify(
                INVOKE,
                service(
                        400,
                        "InvalidParameterValueException",
                        "1 validation error detected: Value at 'qualifier' failed to satisfy constraint"));

        assertThat(refusal.kind()).isEqualTo(BackendException.Kind.REJECTED);
        assertThat(refusal.getMessage())
                .isEqualTo("AWS Lambda refused to invoke function 'infermesh-digits:live'"
                        + " (InvalidParameterValueException, HTTP 400): check placement.lambda in the card of model 'digits'"
                        + " and the function's configuration (the router's log has AWS's explanation)");
    }

    @Test
    void noCredentialsAtAllIsSaidSo() {
        BackendException refusal = AwsErrors.classify(
                AwsErrors.submit("infermesh-cpu", "infermesh-worker:3", "digits"),
                SdkClientException.create("Unable to load credentials from any of the providers in the"
                        + " chain AwsCredentialsProviderChain(credentialsProviders=[SystemPropertyCredentialsProvider()"
                        + ", EnvironmentVariableCredentialsProvider()])"));

        assertThat(refusal.kind()).isEqualTo(BackendException.Kind.TRANSIENT);
        assertThat(refusal.getMessage())
                .isEqualTo("the router found no AWS credentials to submit the job to queue"
                        + " 'infermesh-cpu' with job definition 'infermesh-worker:3': set infermesh.router.aws.access-key-id"
                        + " and secret-access-key, or provide credentials through the AWS SDK's default chain (environment,"
                        + " profile, role)");
    }

    @Test
    void throttlingIsRecognisedByCodeAsWellAsByStatus() {
        BackendException refusal = AwsErrors.classify(INVOKE, service(400, "ThrottlingException", "Rate exceeded"));

        assertThat(refusal.kind()).isEqualTo(BackendException.Kind.THROTTLED);
        assertThat(refusal.getMessage())
                .isEqualTo("AWS Lambda throttled the router's request to invoke function"
                        + " 'infermesh-digits:live' (ThrottlingException, HTTP 400): the concurrency or request rate allowed"
                        + " is used up for now");
    }

    @Test
    void aStatusWithoutACodeIsStillNamed() {
        assertThat(AwsErrors.sentence(INVOKE, AwsErrors.Problem.FAULT, null, 503))
                .isEqualTo("AWS Lambda failed to"
                        + " invoke function 'infermesh-digits:live' (HTTP 503): a fault on AWS's side, usually brief");
        assertThat(AwsErrors.sentence(INVOKE, AwsErrors.Problem.INVALID, "KMSAccessDeniedException", 0))
                .startsWith(
                        "AWS Lambda refused to invoke function 'infermesh-digits:live' (KMSAccessDeniedException):");
    }

    private static AwsServiceException service(int status, String code, String message) {
        return AwsServiceException.builder()
                .statusCode(status)
                .message(message)
                .awsErrorDetails(AwsErrorDetails.builder()
                        .errorCode(code)
                        .errorMessage(message)
                        .build())
                .build();
    }
}
