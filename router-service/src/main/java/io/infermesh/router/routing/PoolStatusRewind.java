package io.infermesh.router.routing;

import io.infermesh.router.tracking.PoolStatuses;
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
 * On the pools binding's first assignment: start at the first record of the last {@code staleness} (Kafka record
 * timestamps), so that a router that just started knows the pools at once; older records would be ignored anyway.
 */
final class PoolStatusRewind implements KafkaBindingRebalanceListener {

    private static final Logger log = LoggerFactory.getLogger(PoolStatusRewind.class);

    private final String binding;
    private final PoolStatuses pools;

    PoolStatusRewind(String binding, PoolStatuses pools) {
        this.binding = binding;
        this.pools = pools;
    }

    @Override
    public void onPartitionsAssigned(
            String bindingName, Consumer<?, ?> consumer, Collection<TopicPartition> partitions, boolean initial) {
        if (!binding.equals(bindingName) || !initial || partitions.isEmpty()) {
            return;
        }
        long since = System.currentTimeMillis() - pools.staleness().toMillis();
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
            // not fatal: the binding reads from the end and the next status interval fills the view
            log.warn(
                    "could not rewind {} to the last {}; reading new pool statuses only",
                    partitions,
                    pools.staleness(),
                    e);
        }
    }
}
