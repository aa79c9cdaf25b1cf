package io.infermesh.faults;

import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the lifecycle, results and storage-events topics from their beginning, as any client of the mesh could, and
 * keeps what one owner's jobs left there: lifecycle events in topic order, result records with their CloudEvents
 * {@code ce_id}, and the raw notifications (for the duplicate-burst fault). It keeps reading through a broker restart
 * (the client reconnects by itself).
 */
final class TopicRecorder implements AutoCloseable {

    /** A storage notification as it was on the topic, to publish again byte for byte. */
    record Notification(byte[] key, byte[] value, List<Header> headers) {}

    private final JsonMapper json = JsonMapper.builder().build();
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<Checks.Event> events = new ArrayList<>();
    private final List<Checks.ResultRecord> results = new ArrayList<>();
    private final List<Notification> notifications = new ArrayList<>();
    private final Set<String> offsets = new HashSet<>();
    private final Thread reader;
    private volatile boolean running = true;
    private volatile Instant lastRecordAt = Instant.now();
    private final String owner;

    /** Records the jobs of one owner. */
    TopicRecorder(String bootstrapServers, String owner) {
        this.owner = owner;
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "fault-harness-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer = new KafkaConsumer<>(config);
        consumer.subscribe(
                List.of(Topics.JOBS_LIFECYCLE.name(), Topics.JOBS_RESULTS.name(), Topics.STORAGE_EVENTS.name()));
        reader = Thread.ofPlatform().name("fault-harness-topics").daemon(true).start(this::read);
    }

    private void read() {
        while (running) {
            try {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    take(record);
                }
            } catch (RuntimeException e) {
                if (running) {
                    System.err.println("fault-harness: reading the topics: " + e);
                }
            }
        }
        consumer.close(Duration.ofSeconds(2));
    }

    private void take(ConsumerRecord<String, byte[]> record) {
        lastRecordAt = Instant.now();
        // after a broker restart the consumer may fetch again from an earlier position: a record read twice is
        // one record, not a duplicate the mesh made
        if (!offsets.add(record.topic() + "/" + record.partition() + "/" + record.offset())) {
            return;
        }
        if (record.topic().equals(Topics.STORAGE_EVENTS.name())) {
            String body = new String(record.value(), StandardCharsets.UTF_8);
            // the owner is the third segment of inbox/<model>/<owner>/...; a cheap filter is enough here
            if (body.contains("%2F" + owner + "%2F") || body.contains("/" + owner + "/")) {
                synchronized (this) {
                    notifications.add(new Notification(
                            record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8),
                            record.value(),
                            List.of(record.headers().toArray())));
                }
            }
            return;
        }
        JsonNode value = json.readTree(record.value());
        if (!owner.equals(value.path("owner").asString(""))) {
            return;
        }
        String jobId = value.path("jobId").asString();
        if (record.topic().equals(Topics.JOBS_RESULTS.name())) {
            Header ce = record.headers().lastHeader("ce_id");
            synchronized (this) {
                results.add(new Checks.ResultRecord(
                        jobId, ce == null ? null : new String(ce.value(), StandardCharsets.UTF_8)));
            }
        } else {
            synchronized (this) {
                events.add(new Checks.Event(
                        jobId,
                        value.path("eventId").asString(),
                        JobStatus.valueOf(value.path("status").asString()),
                        value.path("attempt").asInt(),
                        Instant.parse(value.path("occurredAt").asString())));
            }
        }
    }

    synchronized List<Checks.Event> events() {
        return List.copyOf(events);
    }

    synchronized List<Checks.ResultRecord> results() {
        return List.copyOf(results);
    }

    synchronized List<Notification> notifications() {
        return List.copyOf(notifications);
    }

    /** When the last record of any kind arrived (for "quiet"). */
    Instant lastRecordAt() {
        return lastRecordAt;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            reader.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
