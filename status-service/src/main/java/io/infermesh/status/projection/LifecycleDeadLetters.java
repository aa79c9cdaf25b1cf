package io.infermesh.status.projection;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.stereotype.Component;

/**
 * Lifecycle records that are not job status changes go to {@code infermesh.jobs.lifecycle.dlq} as they came (value,
 * key, headers), with {@code x-original-topic/partition/offset} and {@code x-exception-message/fqcn} saying where from
 * and why; counted as {@code infermesh.status.dead.letters{cause}} and logged. The batch goes on without them.
 */
@Component
class LifecycleDeadLetters {

    static final String DEAD_LETTERS = "infermesh.status.dead.letters";

    private static final Logger log = LoggerFactory.getLogger(LifecycleDeadLetters.class);

    private final StreamBridge bridge;
    private final MeterRegistry registry;

    LifecycleDeadLetters(StreamBridge bridge, MeterRegistry registry) {
        this.bridge = bridge;
        this.registry = registry;
    }

    void send(byte[] value, String key, Map<?, ?> headers, String topic, Object partition, Object offset,
            RuntimeException why) {
        log.warn("Dead-lettering {}-{}@{} (key {}): {}", topic, partition, offset, key, why.toString());
        MessageBuilder<byte[]> message = MessageBuilder.withPayload(value == null ? new byte[0] : value);
        headers.forEach((name, v) -> {
            if (name instanceof String n && !n.startsWith("kafka_") && !n.equals("id") && !n.equals("timestamp")) {
                message.setHeader(n, v);
            }
        });
        message.setHeader("x-original-topic", topic)
                .setHeader("x-original-partition", String.valueOf(partition))
                .setHeader("x-original-offset", String.valueOf(offset))
                .setHeader("x-exception-message", String.valueOf(why.getMessage()))
                .setHeader("x-exception-fqcn", why.getClass().getName());
        if (key != null) {
            message.setHeader(KafkaHeaders.KEY, key.getBytes(StandardCharsets.UTF_8));
        }
        // a dead letter that cannot be written must not be lost: the batch fails and comes again
        if (!bridge.send("lifecycleDlq", message.build())) {
            throw new IllegalStateException("could not dead-letter " + topic + "-" + partition + "@" + offset);
        }
        Counter.builder(DEAD_LETTERS)
                .description("Lifecycle records sent to the dead-letter topic, by cause")
                .tag("cause", why.getClass().getSimpleName())
                .register(registry)
                .increment();
    }
}
