package io.infermesh.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.Topics;
import io.infermesh.events.DeadLetters;
import io.infermesh.localinfra.TopicProbe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * A notification whose jobs Kafka keeps refusing (here: every request is too large for its producer) is retried and
 * then dead-lettered by the binder on {@code infermesh.storage.events.dlq}, as it came, saying where it was and why —
 * not lost. With native decoding the binder writes that dead letter only when its producer is told how to serialize
 * the record's bytes.
 */
@SpringBootTest(
        classes = IngestServiceApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
            "spring.config.name=ingest-service",
            "infermesh.ingest.webhook.enabled=false",
            // a group of its own: the other test contexts of this JVM (group ingest-service) make the job normally
            "spring.cloud.stream.bindings.ingestStorageEvent-in-0.group=ingest-publish-failure",
            "spring.cloud.stream.bindings.ingestStorageEvent-in-0.consumer.back-off-initial-interval=100",
            "spring.cloud.stream.kafka.bindings[infermesh.jobs.requested].producer.configuration.max.request.size=64"
        })
class KafkaPublishFailureIntegrationTests extends IngestIntegrationTest {

    @Test
    void aNotificationWhoseJobsKafkaRefusesIsDeadLetteredByTheBinderAfterItsRetries() {
        String key = "inbox/digits/alice/" + UUID.randomUUID() + ".png";
        String notification = """
                {"EventName":"s3:ObjectCreated:Put","Key":"uploads/%1$s","Records":[{"eventVersion":"2.0",
                 "eventSource":"minio:s3","eventTime":"2026-12-03T10:00:00.000Z","eventName":"s3:ObjectCreated:Put",
                 "s3":{"bucket":{"name":"uploads"},"object":{"key":"%1$s","size":10,"eTag":"etag-refused",
                 "sequencer":"00000001"}}}]}""".formatted(key);
        TopicProbe.send(
                kafkaBootstrap(),
                Topics.STORAGE_EVENTS.name(),
                "uploads/" + key,
                notification.getBytes(StandardCharsets.UTF_8),
                Map.of());

        ConsumerRecord<String, String> dead = TopicProbe.awaitRecords(
                        kafkaBootstrap(),
                        Topics.STORAGE_EVENTS.dlq(),
                        "uploads/" + key,
                        found -> !found.isEmpty(),
                        Duration.ofSeconds(60))
                .getFirst();
        assertThat(dead.value()).isEqualTo(notification);
        assertThat(TopicProbe.header(dead, DeadLetters.ORIGINAL_TOPIC)).isEqualTo(Topics.STORAGE_EVENTS.name());
        assertThat(TopicProbe.header(dead, DeadLetters.EXCEPTION_MESSAGE)).isNotBlank();
    }
}
