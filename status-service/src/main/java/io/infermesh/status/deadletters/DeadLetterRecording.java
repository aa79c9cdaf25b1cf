package io.infermesh.status.deadletters;

import io.infermesh.events.DeadLetters;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;

/**
 * Consumes every dead-letter topic of the mesh ({@code infermesh.*.dlq}: storage events, job requests, dispatches,
 * the lifecycle) in a group of its own and records each dead letter in the {@link DeadLetterBook}, for operators.
 */
@Configuration(proxyBeanMethods = false)
class DeadLetterRecording {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterRecording.class);

    @Bean
    Consumer<Message<byte[]>> recordDeadLetter(DeadLetterBook book, MeterRegistry meters) {
        return message -> {
            MessageHeaders headers = message.getHeaders();
            String topic = String.valueOf(headers.get(KafkaHeaders.RECEIVED_TOPIC));
            String reason = text(headers.get(DeadLetters.EXCEPTION_MESSAGE));
            String original = text(headers.get(DeadLetters.ORIGINAL_TOPIC));
            DeadLetter letter = DeadLetter.of(
                    topic,
                    headers.get(KafkaHeaders.RECEIVED_PARTITION, Integer.class),
                    headers.get(KafkaHeaders.OFFSET, Long.class),
                    time(headers.get(KafkaHeaders.RECEIVED_TIMESTAMP)),
                    text(headers.get(KafkaHeaders.RECEIVED_KEY)),
                    reason,
                    original != null ? original : text(headers.get(DeadLetters.ORIGINAL_SOURCE)),
                    message.getPayload());
            book.record(letter);
            meters.counter("infermesh.status.dead-letters.recorded", "topic", topic)
                    .increment();
            log.warn(
                    "dead letter on {} ({}@{}): {}",
                    topic,
                    letter.partition(),
                    letter.offset(),
                    reason == null ? "no reason given" : reason);
        };
    }

    private static Instant time(Object timestamp) {
        return timestamp instanceof Long millis ? Instant.ofEpochMilli(millis) : Instant.now();
    }

    private static String text(Object header) {
        return switch (header) {
            case null -> null;
            case byte[] bytes -> new String(bytes, StandardCharsets.UTF_8);
            case ByteBuffer buffer ->
                StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
            default -> header.toString();
        };
    }
}
