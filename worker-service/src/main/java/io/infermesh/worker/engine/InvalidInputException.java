package io.infermesh.worker.engine;

/** The input cannot be read as what the model takes; the job fails with {@code INVALID_INPUT} and this message. */
public class InvalidInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }

    /** With what the decoder's library said, for the log; the message alone is for the job's owner. */
    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
