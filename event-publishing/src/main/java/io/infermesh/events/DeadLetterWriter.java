package io.infermesh.events;

import org.springframework.cloud.stream.function.StreamOperations;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.MessageBuilder;

/**
 * The one writer of hand-made dead letters in the mesh (Spring Cloud Stream's binder writes its own, with the same
 * headers): a {@link DeadLetter} with the {@link DeadLetters} headers saying why ({@code x-exception-message}, the
 * exception's message, a sentence a person reads in status-service's {@code GET /api/dead-letters}, and which may end
 * up in a job's message; {@code x-exception-fqcn}), the key and value as they came, as
 * {@code application/octet-stream} so that nothing converts them. Counting and logging stay with the caller, which
 * knows what the message was. With the bindings' {@code sync: true} a write returns only once Kafka has it.
 */
public final class DeadLetterWriter {

    private final StreamOperations bridge;

    public DeadLetterWriter(StreamOperations bridge) {
        this.bridge = bridge;
    }

    /**
     * Publishes one dead letter.
     *
     * @param destination a topic ({@code <topic>.dlq}) or an output binding's name
     * @param why why it could not be processed; its message is the reason (its class name when it has none)
     * @throws IllegalStateException when the binder did not take it: the caller must not acknowledge the message
     */
    public void write(String destination, DeadLetter letter, Throwable why) {
        if (!bridge.send(destination, message(letter, why))) {
            throw new IllegalStateException("could not dead-letter a message on " + destination + ": " + reason(why));
        }
    }

    /** The message {@link #write} publishes. */
    public static Message<byte[]> message(DeadLetter letter, Throwable why) {
        MessageBuilder<byte[]> message = MessageBuilder.withPayload(letter.value())
                .copyHeaders(letter.headers())
                .setHeader(DeadLetters.EXCEPTION_MESSAGE, reason(why))
                .setHeader(DeadLetters.EXCEPTION_FQCN, why.getClass().getName())
                .setHeader(MessageHeaders.CONTENT_TYPE, "application/octet-stream");
        if (letter.key() != null) {
            message.setHeader(KafkaHeaders.KEY, letter.key());
        }
        return message.build();
    }

    private static String reason(Throwable why) {
        return why.getMessage() == null || why.getMessage().isBlank()
                ? why.getClass().getName()
                : why.getMessage();
    }
}
