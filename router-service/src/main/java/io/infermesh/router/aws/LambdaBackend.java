package io.infermesh.router.aws;

import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.ModelCard;
import io.infermesh.router.backend.BackendException;
import io.infermesh.router.backend.ComputeBackend;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeRequest;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * AWS Lambda: an asynchronous ({@code Event}) invocation of the model card's function with the {@link JobDispatched} as
 * payload. Lambda queues it and answers 202; the outcome comes back through the function's destinations (on-success
 * and on-failure, to SQS), which ingest-service turns into lifecycle events.
 */
final class LambdaBackend implements ComputeBackend {

    private final LambdaClient lambda;
    private final JsonMapper json;

    LambdaBackend(LambdaClient lambda, JsonMapper json) {
        this.lambda = lambda;
        this.json = json;
    }

    @Override
    public String id() {
        return "lambda";
    }

    @Override
    public Handle dispatch(JobDispatched job, ModelCard model) {
        ModelCard.LambdaTarget target = model.placement().lambda();
        InvokeRequest.Builder request = InvokeRequest.builder()
                .functionName(target.functionName())
                .invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromByteArray(json.writeValueAsBytes(job)));
        if (target.qualifier() != null && !target.qualifier().isBlank()) {
            request.qualifier(target.qualifier());
        }
        InvokeResponse response;
        try {
            response = lambda.invoke(request.build());
        } catch (SdkException e) {
            throw AwsErrors.classify(AwsErrors.invoke(target.functionName(), target.qualifier(), job.model()), e);
        }
        if (response.statusCode() == null || response.statusCode() != 202) {
            throw new BackendException(
                    BackendException.Kind.TRANSIENT,
                    "AWS Lambda answered HTTP "
                            + response.statusCode() + " to an asynchronous invocation of function '"
                            + target.functionName()
                            + "' instead of 202 Accepted, so the job may not be queued",
                    null);
        }
        String requestId = response.responseMetadata().requestId();
        return new Handle(
                requestId,
                "Lambda function " + target.functionName() + " accepted the job (request " + requestId + ")");
    }
}
