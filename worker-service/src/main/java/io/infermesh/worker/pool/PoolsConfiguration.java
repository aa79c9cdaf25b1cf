package io.infermesh.worker.pool;

import io.infermesh.contracts.PoolStatus;
import io.infermesh.events.JobEventSender;
import io.infermesh.worker.WorkerProperties;
import io.infermesh.worker.catalogue.WorkerModels;
import io.infermesh.worker.engine.InferenceEngine;
import io.infermesh.worker.jobs.JobRunner;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires the pools (ADR 0013): one per served model, each of plain Kafka consumers of its dispatch topic feeding the
 * {@link JobRunner}, their dead letters, their status on {@code infermesh.workers.pools}, their gauges and
 * {@code /actuator/pools}.
 */
@Configuration(proxyBeanMethods = false)
class PoolsConfiguration {

    @Bean
    Pools pools(
            WorkerModels models,
            JobRunner runner,
            InferenceEngine engine,
            WorkerProperties properties,
            StreamBridge bridge,
            JsonMapper json,
            MeterRegistry meters,
            @Value("${spring.cloud.stream.kafka.binder.brokers}") String brokers,
            @Value("${spring.cloud.stream.kafka.binder.replication-factor:1}") short replicationFactor) {
        WorkerProperties.Pool settings = properties.pool();
        Map<String, Object> config = dispatchConsumerProperties(brokers, settings);
        PoolWorker.Context context = new PoolWorker.Context(
                runner,
                json,
                new DispatchDeadLetters(bridge),
                settings,
                () -> new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer()));
        Pools pools = new Pools(
                models,
                context,
                engine,
                brokers,
                replicationFactor,
                bridge,
                new JobEventSender(bridge, json, "worker-service"));
        for (String model : models.names()) {
            poolGauge(meters, pools, model, "workers", s -> s.workers());
            poolGauge(meters, pools, model, "busy", s -> s.busy());
            poolGauge(meters, pools, model, "backlog", s -> s.backlog());
            poolGauge(meters, pools, model, "loaded", s -> s.loaded() ? 1 : 0);
        }
        return pools;
    }

    /**
     * The properties of every pool's consumer of a dispatch topic: group {@link Pools#GROUP}, commits only by the
     * pool (once jobs have ended), from the earliest record when the group has none, one poll at most a batch, and
     * the configured group protocol (with {@code classic}, the session timeout and heartbeat of {@link GroupSession}).
     */
    static Map<String, Object> dispatchConsumerProperties(String brokers, WorkerProperties.Pool settings) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, Pools.GROUP);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.batchMaxSize());
        config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, settings.groupProtocol());
        config.putAll(GroupSession.consumerProperties(settings));
        return config;
    }

    /** {@code infermesh.worker.pool.<what>{model}}, read from the pool's status. */
    private static void poolGauge(
            MeterRegistry meters, Pools pools, String model, String what, ToDoubleFunction<PoolStatus> value) {
        Gauge.builder(
                        "infermesh.worker.pool." + what,
                        pools,
                        p -> p.status().stream()
                                .filter(s -> s.model().equals(model))
                                .findFirst()
                                .map(value::applyAsDouble)
                                .orElse(0.0))
                .tag("model", model)
                .register(meters);
    }

    /** {@code /actuator/pools}: each model's pool now. */
    @Bean
    PoolsEndpoint poolsEndpoint(Pools pools) {
        return new PoolsEndpoint(pools);
    }
}
