package io.infermesh.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.TopicProbe;
import io.infermesh.localinfra.WithLocalInfra;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.annotation.Bean;
import org.springframework.messaging.Message;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * On a real broker, through Spring Cloud Stream's Kafka binder: a dead letter the writer makes of a record says where
 * the record lay exactly as the binder's own dead letter of the same record does (same header names, same bytes), and
 * keeps the record's key, value and headers.
 */
@WithLocalInfra
@SpringBootTest(
        classes = DeadLetterWriterIntegrationTests.Refusing.class,
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
            "spring.cloud.function.definition=refuse",
            "spring.cloud.stream.bindings.refuse-in-0.destination=" + DeadLetterWriterIntegrationTests.TOPIC,
            "spring.cloud.stream.bindings.refuse-in-0.group=dead-letter-tests",
            "spring.cloud.stream.bindings.refuse-in-0.consumer.max-attempts=1",
            "spring.cloud.stream.bindings.refuse-in-0.consumer.use-native-decoding=true",
            "spring.cloud.stream.kafka.bindings.refuse-in-0.consumer.enable-dlq=true",
            "spring.cloud.stream.kafka.bindings.refuse-in-0.consumer.dlq-name=" + DeadLetterWriterIntegrationTests.DLQ,
            "spring.cloud.stream.kafka.bindings.refuse-in-0.consumer.configuration.key.deserializer="
                    + "org.apache.kafka.common.serialization.ByteArrayDeserializer",
            "spring.cloud.stream.kafka.bindings.refuse-in-0.consumer.configuration.value.deserializer="
                    + "org.apache.kafka.common.serialization.ByteArrayDeserializer",
            // with native decoding the binder's own dead letters need serializers named (it checks for them)
            "spring.cloud.stream.kafka.bindings.refuse-in-0.consumer.dlq-producer-properties.configuration"
                    + ".key.serializer=org.apache.kafka.common.serialization.ByteArraySerializer",
            "spring.cloud.stream.kafka.bindings.refuse-in-0.consumer.dlq-producer-properties.configuration"
                    + ".value.serializer=org.apache.kafka.common.serialization.ByteArraySerializer",
            "spring.cloud.stream.kafka.default.producer.sync=true"
        })
class DeadLetterWriterIntegrationTests {

    static final String TOPIC = "infermesh.test.unreadable";
    static final String DLQ = TOPIC + ".dlq";
    static final String REASON = "the record is not a job status change";

    /** A consumer that can read nothing, so that the binder dead-letters every record itself. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Refusing {
        @Bean
        Consumer<Message<byte[]>> refuse() {
            return message -> {
                throw new IllegalArgumentException(REASON);
            };
        }
    }

    @Autowired
    StreamBridge bridge;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        LocalInfraExtension.infra().kafka().createTopics(1, TOPIC, DLQ);
        registry.add("spring.cloud.stream.kafka.binder.brokers", DeadLetterWriterIntegrationTests::bootstrap);
    }

    @Test
    void aRecordsDeadLetterSaysWhereItLayAsTheBindersOwnDeadLetterOfItDoes() {
        String key = "job-" + UUID.randomUUID();
        byte[] value = "{\"not\": \"a status change\"}".getBytes(StandardCharsets.UTF_8);
        TopicProbe.send(
                bootstrap(),
                TOPIC,
                key,
                value,
                Map.of("ce_id", key + "/1/RUNNABLE", "ce_source", "/infermesh/router-service"));
        ConsumerRecord<String, byte[]> binders = awaitRecords(DLQ, key, 1).getFirst();
        ConsumerRecord<String, byte[]> original = awaitRecords(TOPIC, key, 1).getFirst();

        new DeadLetterWriter(bridge).write(DLQ, DeadLetter.of(original), new IllegalArgumentException(REASON));

        ConsumerRecord<String, byte[]> ours = awaitRecords(DLQ, key, 2).getLast();
        assertThat(ours.key()).isEqualTo(key);
        assertThat(ours.value()).isEqualTo(value);
        assertThat(text(ours, DeadLetters.EXCEPTION_MESSAGE)).isEqualTo(REASON);
        assertThat(text(ours, DeadLetters.EXCEPTION_FQCN)).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(text(ours, "ce_id")).isEqualTo(key + "/1/RUNNABLE");
        assertThat(text(ours, "ce_source")).isEqualTo("/infermesh/router-service");
        for (String origin : List.of(
                DeadLetters.ORIGINAL_TOPIC,
                DeadLetters.ORIGINAL_PARTITION,
                DeadLetters.ORIGINAL_OFFSET,
                DeadLetters.ORIGINAL_TIMESTAMP)) {
            assertThat(bytes(binders, origin)).as("the binder's " + origin).isNotNull();
            assertThat(bytes(ours, origin)).as(origin).isEqualTo(bytes(binders, origin));
        }
        assertThat(text(binders, "ce_id"))
                .as("the binder keeps the record's headers too")
                .isEqualTo(key + "/1/RUNNABLE");
        assertThat(text(binders, DeadLetters.EXCEPTION_MESSAGE))
                .as("the binder's reason")
                .contains(REASON);
    }

    private static String bootstrap() {
        return LocalInfraExtension.infra().kafka().bootstrapServers();
    }

    private static byte[] bytes(ConsumerRecord<?, ?> record, String header) {
        Header found = record.headers().lastHeader(header);
        return found == null ? null : found.value();
    }

    private static String text(ConsumerRecord<?, ?> record, String header) {
        byte[] value = bytes(record, header);
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    /** Reads {@code topic} from its beginning until it has {@code count} records keyed {@code key}. */
    private static List<ConsumerRecord<String, byte[]>> awaitRecords(String topic, String key, int count) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "probe-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest");
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (found.size() < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("within 30 s " + topic + " had " + found.size() + " record(s) keyed " + key
                            + ", not " + count);
                }
                consumer.poll(Duration.ofMillis(100)).forEach(record -> {
                    if (key.equals(record.key())) {
                        found.add(record);
                    }
                });
            }
        }
        return found;
    }
}
