package io.infermesh.ingest.outcomes;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.stream.binder.kafka.KafkaBindingRebalanceListener;

/**
 * On the lifecycle binding's first assignment: start at the first record of the last {@code lookback} (Kafka record
 * timestamps) instead of the log end, so that an ingest-service that just started knows how the jobs of that time
 * ended (a late report of one of them is then judged like any other).
 */
final class LifecycleRewind implements KafkaBindingRebalanceListener {

    private static final Logger log = LoggerFactory.getLogger(LifecycleRewind.class);

    private final String binding;
    private final Duration lookback;
    private final Clock clock;

    LifecycleRewind(String binding, Duration lookback, Clock clock) {
        this.binding = binding;
        this.lookback = lookback;
        this.clock = clock;
    }

    @Override
    public void onPartitionsAssigned(
            String bindingName, Consumer<?, ?> consumer, Collection<TopicPartition> partitions, boolean initial) {
        if (!binding.equals(bindingName) || !initial || partitions.isEmpty()) {
            return;
        }
        long since = clock.millis() - lookback.toMillis();
        Map<TopicPartition, Long> times = new HashMap<>();
        partitions.forEach(p -> times.put(p, since));
        try {
            consumer.offsetsForTimes(times).forEach((partition, found) -> {
                if (found != null) {
                    consumer.seek(partition, found.offset());
                } else {
                    consumer.seekToEnd(List.of(partition));
                }
            });
        } catch (RuntimeException e) {
            // not fatal: the binding reads from the end, and jobs that ended before are judged as unknown ones
            log.warn("could not rewind {} by {}; following new lifecycle events only", partitions, lookback, e);
        }
    }
}
