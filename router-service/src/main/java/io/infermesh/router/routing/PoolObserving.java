package io.infermesh.router.routing;

import io.infermesh.router.RouterProperties;
import io.infermesh.router.tracking.PoolStatuses;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.function.Consumer;
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

    @Bean
    PoolStatuses poolStatuses(RouterProperties properties) {
        return new PoolStatuses(
                properties.pools().staleness(), properties.pools().modelLoadSeconds(), Clock.systemUTC());
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
        return new PoolStatusRewind(BINDING, pools);
    }
}
