package io.infermesh.router.kafka;

import io.infermesh.router.RouterProperties;
import io.infermesh.router.tracking.PoolStatuses;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.stream.binder.kafka.KafkaBindingRebalanceListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;
import tools.jackson.databind.json.JsonMapper;

/**
 * Consumes {@code infermesh.workers.pools} ({@link PoolObserver}) so that placement reads the on-prem pools' own
 * capacity and warmth. Every router instance must see every status, so the binding has no group (the binder makes
 * an anonymous one per instance, which starts at the log end: {@code auto.offset.reset=latest}). Starting at the
 * end alone would leave a router that just started blind for up to a status interval; on its first assignment the
 * binding is instead moved back to the records of the last {@code staleness} (older ones would be ignored anyway),
 * so a fresh router knows the pools at once without reading the topic's whole retention.
 */
@Configuration(proxyBeanMethods = false)
class PoolObserving {

    /** The binding of {@link #observePools}. */
    static final String BINDING = "observePools-in-0";

    private static final Logger log = LoggerFactory.getLogger(PoolObserving.class);

    @Bean
    PoolStatuses poolStatuses(RouterProperties properties) {
        return new PoolStatuses(properties.pools().staleness(), properties.pools().modelLoadSeconds(),
                Clock.systemUTC());
    }

    @Bean
    PoolObserver poolObserver(JsonMapper json, PoolStatuses pools, MeterRegistry meters) {
        return new PoolObserver(json, pools, meters);
    }

    @Bean
    Consumer<Message<byte[]>> observePools(PoolObserver observer) {
        return observer::accept;
    }

    /** On the pools binding's first assignment: start at the first record of the last {@code staleness}. */
    @Bean
    KafkaBindingRebalanceListener poolStatusRewind(PoolStatuses pools) {
        return new KafkaBindingRebalanceListener() {
            @Override
            public void onPartitionsAssigned(String bindingName,
                    org.apache.kafka.clients.consumer.Consumer<?, ?> consumer, Collection<TopicPartition> partitions,
                    boolean initial) {
                if (!BINDING.equals(bindingName) || !initial || partitions.isEmpty()) {
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
                    log.warn("could not rewind {} to the last {}; reading new pool statuses only", partitions,
                            pools.staleness(), e);
                }
            }
        };
    }
}
