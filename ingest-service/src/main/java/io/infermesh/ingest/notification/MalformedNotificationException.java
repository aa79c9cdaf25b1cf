package io.infermesh.ingest.notification;

/** A notification that is not a bucket notification we understand; it is dead-lettered, never retried. */
public class MalformedNotificationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MalformedNotificationException(String message) {
        super(message);
    }

    public MalformedNotificationException(String message, Throwable cause) {
        super(message, cause);
    }
}
