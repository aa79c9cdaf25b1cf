package io.infermesh.status.projection;

import io.infermesh.contracts.Topics;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.stream.config.ListenerContainerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The lifecycle consumer's error handling in batch mode: a batch whose transaction failed is tried again, 0.5 s
 * after the first failure, doubling up to 10 s, without end — never discarded (the binder's own batch handling would
 * give up after a few tries and drop the records). Records that cannot be projected at all never fail the batch:
 * {@link LifecycleDeadLetters} takes them out first.
 */
@Configuration(proxyBeanMethods = false)
class ProjectionBatches {

    private static final Logger log = LoggerFactory.getLogger(ProjectionBatches.class);

    @Bean
    ListenerContainerCustomizer<AbstractMessageListenerContainer<?, ?>> lifecycleBatchRetries() {
        return (container, destination, group) -> {
            if (Topics.JOBS_LIFECYCLE.name().equals(destination)) {
                ExponentialBackOff backOff = new ExponentialBackOff(500, 2.0);
                backOff.setMaxInterval(10_000);
                DefaultErrorHandler handler = new DefaultErrorHandler(
                        (record, e) -> {
                            throw new IllegalStateException("unreachable: the back-off never ends", e);
                        },
                        backOff);
                handler.setLogLevel(KafkaException.Level.WARN);
                // every failure is worth another try (the defaults would send some straight to the recoverer)
                handler.setClassifications(Map.of(), true);
                container.setCommonErrorHandler(handler);
                log.info(
                        "lifecycle projection: failed batches are retried without end ({} group {})",
                        destination,
                        group);
            }
        };
    }
}
