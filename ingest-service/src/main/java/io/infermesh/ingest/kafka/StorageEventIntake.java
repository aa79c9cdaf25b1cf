package io.infermesh.ingest.kafka;

import io.infermesh.ingest.intake.NotificationHandler;
import java.util.function.Consumer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

/**
 * The MinIO Kafka-target intake ({@code infermesh.storage.events}): every message goes through the shared
 * {@link NotificationHandler}. A malformed message throws a non-retryable exception and is dead-lettered by the binder
 * on {@code infermesh.storage.events.dlq}; a Kafka failure while publishing is retried (3 attempts).
 */
@Configuration(proxyBeanMethods = false)
class StorageEventIntake {

    static final String INTAKE = "minio-kafka";

    @Bean
    Consumer<Message<byte[]>> ingestStorageEvent(NotificationHandler handler) {
        handler.register(INTAKE);
        return message -> handler.handle(message.getPayload(), INTAKE);
    }
}
