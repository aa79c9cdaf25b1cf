package io.infermesh.worker;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A worker instance as the group sees it, run as its own OS process so that a test can {@code kill -9} it: a member
 * of the workers' group on one dispatch topic (the {@code consumer} protocol, like the pools) that takes dispatches
 * and never finishes or commits them — a worker that dies mid-inference. It prints {@code ASSIGNED <partitions>} and
 * {@code POLLED <count>} lines for the test to read.
 */
public final class FrozenWorkerProcess {

    private FrozenWorkerProcess() {}

    /** {@code <bootstrap servers> <group> <topic>}. */
    public static void main(String[] args) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                args[0],
                ConsumerConfig.GROUP_ID_CONFIG,
                args[1],
                ConsumerConfig.GROUP_PROTOCOL_CONFIG,
                "consumer",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest");
        long polled = 0;
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(args[2]), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    // the test reads only what is assigned
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    System.out.println("ASSIGNED "
                            + consumer.assignment().stream()
                                    .map(TopicPartition::partition)
                                    .sorted()
                                    .map(String::valueOf)
                                    .reduce((a, b) -> a + "," + b)
                                    .orElse(""));
                    System.out.flush();
                }
            });
            while (true) {
                int count = consumer.poll(Duration.ofMillis(100)).count();
                if (count > 0) {
                    polled += count;
                    System.out.println("POLLED " + polled);
                    System.out.flush();
                }
            }
        }
    }
}
