package io.infermesh.ingest.notification;

import java.util.Locale;
import tools.jackson.databind.JsonNode;

/** A notification that is not a bucket notification we understand; it is dead-lettered, never retried. */
public class MalformedNotificationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What is wrong with it, in a small fixed set (a metric tag); the message says it in a sentence. */
    public enum Reason {
        /** not JSON at all */
        NOT_JSON,
        /** a JSON array where a notification object was expected */
        JSON_ARRAY,
        /** JSON, but a string, number, boolean or null */
        NOT_AN_OBJECT,
        /** an object of a shape no intake knows (neither S3 records, SNS, Lambda destination nor EventBridge) */
        UNRECOGNISED,
        /** a notification or report of a known shape with a missing or invalid field */
        INVALID_FIELD;

        /** The metric tag, e.g. {@code json-array}. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Reason reason;

    public MalformedNotificationException(String message) {
        this(Reason.INVALID_FIELD, message, null);
    }

    public MalformedNotificationException(String message, Throwable cause) {
        this(Reason.INVALID_FIELD, message, cause);
    }

    public MalformedNotificationException(Reason reason, String message) {
        this(reason, message, null);
    }

    public MalformedNotificationException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /**
     * The refusal of a JSON value that is not an object, saying what it is instead.
     *
     * @param what what was expected to be an object, e.g. {@code the message}
     */
    public static MalformedNotificationException notAnObject(String what, JsonNode value) {
        if (value != null && value.isArray()) {
            return new MalformedNotificationException(
                    Reason.JSON_ARRAY, what + " is a JSON array, not an S3/MinIO notification object", null);
        }
        String type = value == null || value.isMissingNode()
                ? "empty"
                : value.getNodeType().name().toLowerCase(Locale.ROOT);
        return new MalformedNotificationException(
                Reason.NOT_AN_OBJECT,
                "not a JSON object (" + what + " is " + ("empty".equals(type) ? "empty" : "a JSON " + type) + ")",
                null);
    }

    public Reason reason() {
        return reason;
    }
}
