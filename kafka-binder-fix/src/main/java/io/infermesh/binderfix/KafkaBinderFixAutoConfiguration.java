package io.infermesh.binderfix;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cloud.stream.binder.kafka.KafkaBinderMetrics;
import org.springframework.context.annotation.Bean;

/** Registers {@link InertKafkaBinderMetrics} so that the Kafka binder does not create its deadlock-prone one. */
@AutoConfiguration
@ConditionalOnClass(KafkaBinderMetrics.class)
public class KafkaBinderFixAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(KafkaBinderMetrics.class)
    KafkaBinderMetrics inertKafkaBinderMetrics() {
        return new InertKafkaBinderMetrics();
    }
}
