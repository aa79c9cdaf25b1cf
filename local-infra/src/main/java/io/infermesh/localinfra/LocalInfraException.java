package io.infermesh.localinfra;

/** Thrown when a local infrastructure component cannot be started or used. */
public class LocalInfraException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LocalInfraException(String message) {
        super(message);
    }

    public LocalInfraException(String message, Throwable cause) {
        super(message, cause);
    }
}
