package io.infermesh.localinfra;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads {@code infermesh.storage.events} with a plain KafkaConsumer, the way a service would. Because LocalS3
 * answers a write only after Kafka acknowledged its notification, reading up to the end offsets taken after the
 * write returned sees every notification the write caused: absence can be asserted without waiting for a timeout.
 */
final class StorageEventsConsumer implements AutoCloseable {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    record Event(String recordKey, JsonNode json, int partition, long offset) {
        String eventName() {
            return json.get("EventName").asString();
        }

        JsonNode record() {
            return json.get("Records").get(0);
        }

        JsonNode object() {
            return record().get("s3").get("object");
        }

        String bucket() {
            return record().get("s3").get("bucket").get("name").asString();
        }
    }

    private final KafkaConsumer<String, String> consumer;
    private final List<Event> events = new ArrayList<>();

    StorageEventsConsumer(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(p);
        List<TopicPartition> partitions = consumer.partitionsFor(LocalS3.EVENTS_TOPIC).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition()))
                .toList();
        if (partitions.isEmpty()) {
            throw new IllegalStateException(LocalS3.EVENTS_TOPIC + " does not exist: start LocalS3 first");
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Every notification published so far (reads up to the current end of each partition). */
    List<Event> all() {
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
        await().atMost(Duration.ofSeconds(30)).pollInSameThread().until(() -> {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                events.add(new Event(r.key(), JSON.readTree(r.value()), r.partition(), r.offset()));
            }
            return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
        });
        return List.copyOf(events);
    }

    /** Every notification so far about objects in {@code bucket}, in partition/offset order. */
    List<Event> forBucket(String bucket) {
        return all().stream()
                .filter(e -> e.recordKey().startsWith(bucket + "/"))
                .collect(Collectors.toList());
    }

    @Override
    public void close() {
        consumer.close();
    }
}
