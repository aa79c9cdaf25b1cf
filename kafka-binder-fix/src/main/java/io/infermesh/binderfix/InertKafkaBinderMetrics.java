package io.infermesh.binderfix;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.cloud.stream.binder.BindingCreatedEvent;
import org.springframework.cloud.stream.binder.kafka.KafkaBinderMetrics;

/**
 * Stands in for the binder's {@link KafkaBinderMetrics} and does nothing. In Spring Cloud Stream 5.0.2,
 * {@code KafkaBinderMetrics.close()} takes its consumer-factory lock and then clears a map whose entry the scheduled
 * lag task holds while it waits for that lock: closing an application context at the wrong moment hangs forever
 * (seen here in tests). The binder creates its own instance only when none exists, so this one replaces it.
 * What is lost is the binder's {@code spring.cloud.stream.binder.kafka.offset} lag gauge.
 */
final class InertKafkaBinderMetrics extends KafkaBinderMetrics {

    InertKafkaBinderMetrics() {
        super(null, null, null, null);
    }

    @Override
    public void bindTo(MeterRegistry registry) {}

    @Override
    public void onApplicationEvent(BindingCreatedEvent event) {}

    @Override
    public void close() {}

    @Override
    public void start() {}

    @Override
    public void stop() {}

    @Override
    public boolean isRunning() {
        return false;
    }
}
