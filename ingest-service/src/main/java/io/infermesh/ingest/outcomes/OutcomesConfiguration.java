package io.infermesh.ingest.outcomes;

import io.infermesh.ingest.IngestProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.function.Consumer;
import org.springframework.cloud.stream.binder.kafka.KafkaBindingRebalanceListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;
import tools.jackson.databind.json.JsonMapper;

/**
 * Follows {@code infermesh.jobs.lifecycle} (binding {@code followLifecycle-in-0}) into the {@link LifecycleFollower},
 * while the SQS intake, the only one that carries cloud backends' results, runs. Every ingest instance must see every
 * job's events, so the binding has no group: the binder makes an anonymous one per instance, which starts at the log
 * end, and on its first assignment {@link LifecycleRewind} moves it back by {@code results.lookback}.
 */
@Configuration(proxyBeanMethods = false)
class OutcomesConfiguration {

    /** The binding of {@link #followLifecycle}. */
    static final String BINDING = "followLifecycle-in-0";

    @Bean
    LifecycleFollower lifecycleFollower(JsonMapper json, IngestProperties properties, MeterRegistry meters) {
        IngestProperties.Results results = properties.results();
        return new LifecycleFollower(
                json,
                results.recentJobs(),
                results.lifecycleWait(),
                meters.counter("infermesh.ingest.lifecycle.unreadable"));
    }

    @Bean
    Consumer<Message<byte[]>> followLifecycle(LifecycleFollower follower) {
        return message -> follower.read(message.getPayload());
    }

    @Bean
    KafkaBindingRebalanceListener lifecycleRewind(IngestProperties properties) {
        return new LifecycleRewind(BINDING, properties.results().lookback(), Clock.systemUTC());
    }
}
