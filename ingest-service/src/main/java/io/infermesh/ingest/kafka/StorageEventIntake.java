package io.infermesh.ingest.kafka;

import io.infermesh.events.DeadLetter;
import io.infermesh.ingest.intake.NotificationHandler;
import io.infermesh.ingest.intake.UnreadableNotifications;
import io.infermesh.ingest.notification.MalformedNotificationException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;

/**
 * The MinIO Kafka-target intake ({@code infermesh.storage.events}): every message goes through the shared
 * {@link NotificationHandler} as the bytes Kafka holds (native decoding: no message conversion before the parser, which
 * would turn a JSON array of numbers into bytes). A malformed message is dead-lettered at once by the
 * {@link UnreadableNotifications} on {@code infermesh.storage.events.dlq}, with the parser's sentence as its reason; a Kafka
 * failure while publishing is retried (3 attempts) and then dead-lettered by the binder.
 */
@Configuration(proxyBeanMethods = false)
class StorageEventIntake {

    static final String INTAKE = "minio-kafka";

    @Bean
    Consumer<Message<byte[]>> ingestStorageEvent(NotificationHandler handler, UnreadableNotifications deadLetters) {
        handler.register(INTAKE);
        deadLetters.register(INTAKE);
        return message -> {
            try {
                handler.handle(message.getPayload(), INTAKE);
            } catch (MalformedNotificationException e) {
                MessageHeaders headers = message.getHeaders();
                String topic = String.valueOf(headers.get(KafkaHeaders.RECEIVED_TOPIC));
                int partition = headers.get(KafkaHeaders.RECEIVED_PARTITION, Integer.class);
                long offset = headers.get(KafkaHeaders.OFFSET, Long.class);
                byte[] key = key(headers.get(KafkaHeaders.RECEIVED_KEY));
                deadLetters.deadLetter(
                        INTAKE,
                        DeadLetter.ofRecord(topic, partition, offset, key, message.getPayload()),
                        e,
                        "record " + topic + "-" + partition + "@" + offset
                                + (key == null ? "" : " (key " + new String(key, StandardCharsets.UTF_8) + ")"));
            }
        };
    }

    private static byte[] key(Object key) {
        return switch (key) {
            case null -> null;
            case byte[] bytes -> bytes;
            default -> key.toString().getBytes(StandardCharsets.UTF_8);
        };
    }
}
