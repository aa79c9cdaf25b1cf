package io.infermesh.status.projection;

import io.infermesh.events.DeadLetter;
import io.infermesh.events.DeadLetterWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.stereotype.Component;

/**
 * Lifecycle records that are not job status changes go to {@code infermesh.jobs.lifecycle.dlq} (binding
 * {@code lifecycleDlq}) as they came (value, key, headers), through event-publishing's {@link DeadLetterWriter}: its
 * {@code x-original-*} headers say where from and {@code x-exception-message/fqcn} why; counted as
 * {@code infermesh.status.dead.letters{cause}} and logged. The batch goes on without them.
 */
@Component
class LifecycleDeadLetters {

    static final String DEAD_LETTERS = "infermesh.status.dead.letters";
    private static final String BINDING = "lifecycleDlq";

    private static final Logger log = LoggerFactory.getLogger(LifecycleDeadLetters.class);

    private final DeadLetterWriter writer;
    private final MeterRegistry registry;

    LifecycleDeadLetters(StreamBridge bridge, MeterRegistry registry) {
        this.writer = new DeadLetterWriter(bridge);
        this.registry = registry;
    }

    /**
     * @param headers the record's headers as the binder converted them; the CloudEvents attributes and the like are
     *     kept, the transport's own are not
     * @throws IllegalStateException when Kafka did not take it: a dead letter that cannot be written must not be
     *     lost, so the batch fails and comes again
     */
    void send(
            byte[] value,
            String key,
            Map<?, ?> headers,
            String topic,
            Object partition,
            Object offset,
            RuntimeException why) {
        log.warn("Dead-lettering {}-{}@{} (key {}): {}", topic, partition, offset, key, why.toString());
        DeadLetter letter = DeadLetter.ofRecord(
                        topic,
                        partition instanceof Number p ? p.intValue() : -1,
                        offset instanceof Number o ? o.longValue() : -1,
                        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                        value)
                .keeping(headers);
        writer.write(BINDING, letter, why);
        Counter.builder(DEAD_LETTERS)
                .description("Lifecycle records sent to the dead-letter topic, by cause")
                .tag("cause", why.getClass().getSimpleName())
                .register(registry)
                .increment();
    }
}
