package io.infermesh.worker.lambda;

import io.infermesh.contracts.FailureReason;

/**
 * A Lambda job that FAILED, thrown out of the handler so that the function's on-failure destination reports it: the
 * message starts with the reason ({@code "INVALID_INPUT: the input is not a PNG or JPEG image"}), which
 * ingest-service reads from the destination record's {@code errorMessage}.
 */
public final class JobFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final FailureReason reason;

    public JobFailedException(FailureReason reason, String message) {
        super(reason.name() + ": " + message);
        this.reason = reason;
    }

    public FailureReason reason() {
        return reason;
    }
}
