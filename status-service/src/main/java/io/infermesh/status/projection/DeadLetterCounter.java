package io.infermesh.status.projection;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.stream.binder.kafka.utils.DlqPartitionFunction;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.stereotype.Component;

/**
 * Counts and logs every record the binder dead-letters, as {@code infermesh.status.dead.letters{cause}}.
 *
 * <p>The Kafka binder asks this function for the dead-letter partition of each failed record, which makes it the one
 * place that sees every dead letter with its cause. It always answers partition 0, matching the single-partition
 * dead-letter topic configured by {@code dlq-partitions: 1}.
 */
@Component
class DeadLetterCounter implements DlqPartitionFunction {

    static final String DEAD_LETTERS = "infermesh.status.dead.letters";

    private static final Logger log = LoggerFactory.getLogger(DeadLetterCounter.class);

    private final MeterRegistry registry;

    DeadLetterCounter(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Integer apply(String group, ConsumerRecord<?, ?> record, Throwable failure) {
        Throwable cause = NestedExceptionUtils.getMostSpecificCause(failure);
        log.warn("Dead-lettering {}-{}@{} (key {}): {}", record.topic(), record.partition(), record.offset(),
                key(record.key()), cause.toString());
        Counter.builder(DEAD_LETTERS)
                .description("Lifecycle records sent to the dead-letter topic, by cause")
                .tag("cause", cause.getClass().getSimpleName())
                .register(registry)
                .increment();
        return 0;
    }

    private static Object key(Object key) {
        // The binder reads keys as bytes; job ids are text.
        return key instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : key;
    }
}
