package io.infermesh.events;

/**
 * The headers of a dead letter on a {@code <topic>.dlq} topic, as Spring Cloud Stream's Kafka binder writes them and
 * as every service that dead-letters by hand must write them too, so that one reader (status-service's dead-letter
 * book) understands them all. Values are UTF-8 text, except the binder's partition (4-byte int) and offset (8-byte
 * long).
 */
public final class DeadLetters {

    /** Why the message could not be processed: a sentence for a person. */
    public static final String EXCEPTION_MESSAGE = "x-exception-message";

    /** The class name of the exception that dead-lettered it. */
    public static final String EXCEPTION_FQCN = "x-exception-fqcn";

    /** The stack trace (binder only). */
    public static final String EXCEPTION_STACKTRACE = "x-exception-stacktrace";

    /** The topic the message was read from. */
    public static final String ORIGINAL_TOPIC = "x-original-topic";

    /** Its partition there. */
    public static final String ORIGINAL_PARTITION = "x-original-partition";

    /** Its offset there. */
    public static final String ORIGINAL_OFFSET = "x-original-offset";

    /** Its timestamp there. */
    public static final String ORIGINAL_TIMESTAMP = "x-original-timestamp";

    /** Where a message that came from outside Kafka came from (e.g. an SQS queue URL). */
    public static final String ORIGINAL_SOURCE = "x-original-source";

    /** Its id there (e.g. the SQS message id). */
    public static final String ORIGINAL_MESSAGE_ID = "x-original-message-id";

    private DeadLetters() {}
}
