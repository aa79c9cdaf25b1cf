package io.infermesh.ingest.intake;

import io.infermesh.events.DeadLetterWriter;
import io.infermesh.events.JobEventSender;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.cloud.stream.function.StreamOperations;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * ingest-service's job events and dead letters. Sends are synchronous (producer {@code sync: true}): a send returns
 * only after Kafka acknowledged the record and throws otherwise, so every intake acknowledges its notification (Kafka
 * offset, HTTP 202, SQS delete) only after its jobs, or its dead letter, are safe. At-least-once, made safe by
 * deterministic job and event ids.
 */
@Configuration(proxyBeanMethods = false)
class EventPublishing {

    @Bean
    JobEventSender jobEventSender(StreamOperations bridge, JsonMapper json) {
        return new JobEventSender(bridge, json, "ingest-service");
    }

    @Bean
    UnreadableNotifications unreadableNotifications(StreamOperations bridge, MeterRegistry meters) {
        return new UnreadableNotifications(new DeadLetterWriter(bridge), meters);
    }
}
