package io.infermesh.router.aws;

import io.infermesh.router.backend.BackendException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** Classifies AWS SDK failures for retries and circuit breakers. */
final class AwsErrors {

    private AwsErrors() {
    }

    static BackendException classify(String what, SdkException e) {
        if (e instanceof AwsServiceException service) {
            String code = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
            String text = what + " failed: " + (code == null ? "" : code + ": ")
                    + (service.awsErrorDetails() == null ? e.getMessage() : service.awsErrorDetails().errorMessage())
                    + " (HTTP " + service.statusCode() + ")";
            if (service.isThrottlingException() || service.statusCode() == 429
                    || (code != null && (code.contains("TooManyRequests") || code.contains("Throttl")))) {
                return new BackendException(BackendException.Kind.THROTTLED, text, e);
            }
            if (service.statusCode() >= 500) {
                return new BackendException(BackendException.Kind.TRANSIENT, text, e);
            }
            return new BackendException(BackendException.Kind.REJECTED, text, e);
        }
        if (e instanceof SdkClientException) {
            return new BackendException(BackendException.Kind.TRANSIENT, what + " failed: " + e.getMessage(), e);
        }
        return new BackendException(e.retryable() ? BackendException.Kind.TRANSIENT : BackendException.Kind.REJECTED,
                what + " failed: " + e.getMessage(), e);
    }
}
