package io.infermesh.ingest;

import io.infermesh.contracts.Topics;
import io.infermesh.localinfra.LocalInfra;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.WithLocalInfra;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * ingest-service against the shared local Kafka (and S3): the topics it reads and writes exist before it starts.
 * Subclasses declare their own {@code @SpringBootTest} (each intake path switches different things on).
 */
@WithLocalInfra
public abstract class IngestIntegrationTest {

    protected static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    protected MeterRegistry meters;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        LocalInfra infra = LocalInfraExtension.infra();
        infra.kafka()
                .createTopics(
                        3,
                        Topics.STORAGE_EVENTS.name(),
                        Topics.JOBS_REQUESTED.name(),
                        Topics.JOBS_LIFECYCLE.name(),
                        Topics.JOBS_RESULTS.name(),
                        Topics.STORAGE_EVENTS.dlq());
        registry.add(
                "spring.cloud.stream.kafka.binder.brokers", () -> infra.kafka().bootstrapServers());
        // several test contexts stay cached at once: each actuator on a port of its own
        registry.add("management.server.port", () -> "0");
    }

    protected static String kafkaBootstrap() {
        return LocalInfraExtension.infra().kafka().bootstrapServers();
    }

    /**
     * Every record keyed {@code key} that {@code topic} holds now, read up to its end offsets: for asserting that
     * something was <em>not</em> published, once whatever would have come with it is known to be there.
     */
    protected static List<ConsumerRecord<String, String>> recordsUpToNow(String topic, String key) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "up-to-now-" + UUID.randomUUID(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        try (var consumer = new KafkaConsumer<String, String>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " up to " + end + " within 30 s");
                }
                for (var record : consumer.poll(Duration.ofMillis(100))) {
                    if (key.equals(record.key())
                            && record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                        found.add(record);
                    }
                }
            }
        }
        return found;
    }
}
