package io.infermesh.localinfra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@WithLocalInfra
class LocalKafkaTests {

    @Test
    void producesAndConsumesThroughTheSharedBroker(LocalKafka kafka) throws Exception {
        String topic = "test." + UUID.randomUUID();
        kafka.createTopics(3, topic);

        try (KafkaProducer<String, String> producer = producer(kafka.bootstrapServers())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
            }
        }
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer(kafka.bootstrapServers(), "g-" + UUID.randomUUID())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).pollInSameThread().until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return values.size() >= 10;
            });
        }
        assertThat(values).containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
    }

    @Test
    void createTopicsIsIdempotentAndKeepsThePartitionCount(LocalKafka kafka) throws Exception {
        String a = "test.a." + UUID.randomUUID();
        String b = "test.b." + UUID.randomUUID();
        kafka.createTopics(2, a);
        kafka.createTopics(5, a, b);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            Map<String, TopicDescription> topics =
                    admin.describeTopics(Set.of(a, b)).allTopicNames().get();
            assertThat(topics.get(a).partitions()).hasSize(2);
            assertThat(topics.get(b).partitions()).hasSize(5);
        }
    }

    @Test
    void autoCreatedTopicsGetThreePartitions(LocalKafka kafka) throws Exception {
        String topic = "test.auto." + UUID.randomUUID();
        try (KafkaProducer<String, String> producer = producer(kafka.bootstrapServers())) {
            producer.send(new ProducerRecord<>(topic, "k", "v")).get();
            assertThat(producer.partitionsFor(topic)).hasSize(3);
        }
    }

    @Test
    void aBrokerWithADataDirectoryKeepsItsRecordsAcrossRestarts(@TempDir Path dir) throws Exception {
        String topic = "test.persistent";
        int port;
        try (LocalKafka kafka = LocalKafka.start(0, dir)) {
            port = kafka.port();
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
            kafka.createTopics(1, topic);
            try (KafkaProducer<String, String> producer = producer(kafka.bootstrapServers())) {
                producer.send(new ProducerRecord<>(topic, "k", "survives")).get();
            }
        }
        try (LocalKafka kafka = LocalKafka.start(0, dir)) {
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = consumer(kafka.bootstrapServers(), "g-restart")) {
                consumer.subscribe(List.of(topic));
                await().atMost(Duration.ofSeconds(30)).pollInSameThread().until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                    return !values.isEmpty();
                });
            }
            assertThat(values).containsExactly("survives");
        }
    }

    static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    static KafkaConsumer<String, String> consumer(String bootstrap, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }
}
