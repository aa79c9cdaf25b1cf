package io.infermesh.load;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.json.JsonMapper;

/**
 * Ingest alone: {@code --jobs} MinIO-format notifications published at once on {@code infermesh.storage.events},
 * each for a distinct object of a model that does not exist (so the router rejects them cheaply and no worker runs),
 * timed from the first publish to the last PENDING event seen on the lifecycle topic.
 */
final class IngestThroughput {

    private IngestThroughput() {}

    static void run(Options options) {
        int count = options.getInt("jobs", 5000);
        String prefix =
                "inbox/no-such-model-bench/" + UUID.randomUUID().toString().substring(0, 8) + "/";
        JsonMapper json = JsonMapper.builder().build();
        Properties consumerConfig = new Properties();
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.get("kafka"));
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "load-tests-" + UUID.randomUUID());
        consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Properties producerConfig = new Properties();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.get("kafka"));
        producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (var lifecycle = new KafkaConsumer<String, String>(consumerConfig);
                var producer = new KafkaProducer<String, String>(producerConfig)) {
            lifecycle.subscribe(List.of("infermesh.jobs.lifecycle"));
            while (lifecycle.assignment().isEmpty()) {
                lifecycle.poll(Duration.ofMillis(100));
            }
            lifecycle.seekToEnd(lifecycle.assignment());
            lifecycle.assignment().forEach(lifecycle::position);
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                String key = prefix + "object-" + i + ".png";
                String notification =
                        """
                        {"EventName":"s3:ObjectCreated:Put","Key":"%1$s/%2$s","Records":[{"eventVersion":"2.0",\
                        "eventSource":"minio:s3","eventTime":"2026-11-22T10:00:00.000Z","eventName":"s3:ObjectCreated:Put",\
                        "s3":{"bucket":{"name":"%1$s"},"object":{"key":"%3$s","size":100,"eTag":"e%4$d",\
                        "contentType":"image/png","sequencer":"%4$016X"}}}]}""".formatted(options.get("bucket"), key, URLEncoder.encode(key, StandardCharsets.UTF_8), i);
                producer.send(new ProducerRecord<>(
                        "infermesh.storage.events", options.get("bucket") + "/" + key, notification));
            }
            producer.flush();
            long published = System.nanoTime();
            int pending = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
            while (pending < count && System.nanoTime() < deadline) {
                for (var record : lifecycle.poll(Duration.ofMillis(50))) {
                    var event = json.readTree(record.value());
                    if ("PENDING".equals(event.path("status").asString())
                            && event.path("input").path("key").asString().startsWith(prefix)) {
                        pending++;
                    }
                }
                System.out.printf("\rPENDING: %d/%d", pending, count);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            String summary = String.format(
                    Locale.ROOT,
                    "%n# ingest%n%n%d notifications published in %.2f s; %d PENDING"
                            + " after %.2f s: **%.0f notifications/s to PENDING**%n",
                    count,
                    (published - start) / 1e9,
                    pending,
                    seconds,
                    pending / seconds);
            Report report = new Report(options, "ingest");
            report.write("summary.md", summary);
            System.out.print(summary);
            System.out.println("report: " + report.dir().toAbsolutePath());
        }
    }
}
