package io.infermesh.worker.jobs;

import io.infermesh.events.JobEventSender;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.Topics;
import io.infermesh.contracts.Timings;
import io.infermesh.worker.pool.PoolWorker;
import io.infermesh.worker.pool.Pools;
import io.infermesh.worker.pool.PoolsEndpoint;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.support.MessageBuilder;
import io.infermesh.worker.WorkerProperties;
import io.infermesh.worker.cancellations.CancelledJobs;
import io.infermesh.worker.catalogue.BucketArtifacts;
import io.infermesh.worker.catalogue.WorkerModels;
import io.infermesh.worker.engine.InferenceEngine;
import io.infermesh.worker.storage.ObjectStorage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires the {@link JobRunner} to the model pools (the dispatch topics), the lifecycle and results topics, the object
 * store, and the cancelled jobs read from the cancellations topic.
 */
@Configuration(proxyBeanMethods = false)
class DispatchConsumer {

    private static final Logger log = LoggerFactory.getLogger(DispatchConsumer.class);

    @Bean
    WorkerModels workerModels(WorkerProperties properties, ObjectStorage storage) {
        WorkerModels models = WorkerModels.load(properties.modelsPath(), properties.models(),
                new BucketArtifacts(storage, java.nio.file.Path.of(properties.artifactCache())));
        if (models.names().isEmpty()) {
            throw new IllegalStateException("worker-service has no model to serve: no model.yaml under "
                    + properties.modelsPath().toAbsolutePath() + " (set infermesh.worker.models-dir)");
        }
        log.info("serving models {} from {}", models.names(), properties.modelsPath().toAbsolutePath());
        return models;
    }

    @Bean(destroyMethod = "close")
    InferenceEngine inferenceEngine(JsonMapper json, WorkerProperties properties) {
        return new InferenceEngine(json, properties.intraOpThreads());
    }

    @Bean(destroyMethod = "close")
    ObjectStorage objectStorage(WorkerProperties properties) {
        return new ObjectStorage(ObjectStorage.client(properties.s3()));
    }

    /** One sample per cold start (the first job of the batch that woke the pool reports it). */
    private static void coldStartPhase(MeterRegistry meters, String model, String phase, Long ms) {
        if (ms != null) {
            Timer.builder("infermesh.worker.cold.start").tag("model", model).tag("phase", phase).register(meters)
                    .record(java.time.Duration.ofMillis(ms));
        }
    }

    @Bean
    JobRunner jobRunner(WorkerModels models, InferenceEngine engine, ObjectStorage storage, WorkerProperties properties,
            StreamBridge bridge, JsonMapper json, MeterRegistry meters, CancelledJobs cancelled) {
        JobEventSender sender = new JobEventSender(bridge, json, "worker-service");
        JobRunner.Events events = new JobRunner.Events() {
            @Override
            public void statusChanged(JobStatusChanged event) {
                sender.statusChanged(event);
                if (event.status().isTerminal()) {
                    String outcome = event.status().name().toLowerCase(java.util.Locale.ROOT);
                    meters.counter("infermesh.worker.jobs", "model", event.model(), "outcome", outcome,
                            "reason", event.reason() == null ? "none" : event.reason().name()).increment();
                    Timings t = event.timings();
                    if (t != null && t.inferenceMs() != null) {
                        Timer.builder("infermesh.worker.inference").tag("model", event.model())
                                .tag("cold", String.valueOf(event.coldStart())).register(meters)
                                .record(java.time.Duration.ofMillis(t.inferenceMs()));
                    }
                    if (t != null && Boolean.TRUE.equals(event.coldStart())) {
                        coldStartPhase(meters, event.model(), "wake", t.wakeMs());
                        coldStartPhase(meters, event.model(), "model-load", t.modelLoadMs());
                        coldStartPhase(meters, event.model(), "warm-up", t.warmupMs());
                    }
                    if (t != null && t.batchSize() != null) {
                        meters.summary("infermesh.worker.batch.size", "model", event.model()).record(t.batchSize());
                    }
                }
            }

            @Override
            public void result(JobResult result) {
                sender.result(result);
            }

            @Override
            public void skipped(JobDispatched job, String reason) {
                meters.counter("infermesh.worker.skipped", "model", job.model(), "reason", reason).increment();
                log.info("job {} attempt {} of model {}: not started, its attempt was {}", job.jobId(), job.attempt(),
                        job.model(), reason);
            }
        };
        JobRunner.ResultWriter writer = (bucket, key, document) -> storage.write(bucket, key,
                json.writeValueAsBytes(document), "application/json");
        return new JobRunner(models, engine, storage, writer, events, cancelled::contains, properties.resultsBucket(),
                properties.resultsPrefix(), Clock.systemUTC());
    }

    /** The pools: one per served model, each of Kafka consumers of its dispatch topic (ADR 0013). */
    @Bean
    Pools pools(WorkerModels models, JobRunner runner, InferenceEngine engine, WorkerProperties properties,
            StreamBridge bridge, JsonMapper json, MeterRegistry meters,
            @Value("${spring.cloud.stream.kafka.binder.brokers}") String brokers,
            @Value("${spring.cloud.stream.kafka.binder.replication-factor:1}") short replicationFactor) {
        WorkerProperties.Pool settings = properties.pool();
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, Pools.GROUP);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.batchMaxSize());
        config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, settings.groupProtocol());
        JobEventSender sender = new JobEventSender(bridge, json, "worker-service");
        PoolWorker.DeadLetters deadLetters = (record, why) -> {
            MessageBuilder<byte[]> message = MessageBuilder.withPayload(record.value() == null ? new byte[0]
                            : record.value())
                    .setHeader("x-exception-message", String.valueOf(why.getMessage()))
                    .setHeader("x-exception-fqcn", why.getClass().getName())
                    .setHeader("x-original-topic", record.topic())
                    .setHeader("x-original-partition", record.partition())
                    .setHeader("x-original-offset", record.offset());
            if (record.key() != null) {
                message.setHeader(KafkaHeaders.KEY, record.key().getBytes(StandardCharsets.UTF_8));
            }
            for (Header h : record.headers()) {
                if (h.key().startsWith("ce_")) {
                    message.setHeader(h.key(), new String(h.value(), StandardCharsets.UTF_8));
                }
            }
            if (!bridge.send(record.topic() + Topics.DLQ_SUFFIX, message.build())) {
                throw new IllegalStateException("could not dead-letter " + record.topic() + "-" + record.partition()
                        + "@" + record.offset());
            }
        };
        PoolWorker.Context context = new PoolWorker.Context(runner, json, deadLetters, settings,
                () -> new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer()));
        Pools pools = new Pools(models, context, engine, brokers, replicationFactor, bridge, sender);
        for (String model : models.names()) {
            poolGauge(meters, pools, model, "workers", s -> s.workers());
            poolGauge(meters, pools, model, "busy", s -> s.busy());
            poolGauge(meters, pools, model, "backlog", s -> s.backlog());
            poolGauge(meters, pools, model, "loaded", s -> s.loaded() ? 1 : 0);
        }
        return pools;
    }

    /** {@code infermesh.worker.pool.<what>{model}}, read from the pool's status. */
    private static void poolGauge(MeterRegistry meters, Pools pools, String model, String what,
            java.util.function.ToDoubleFunction<io.infermesh.contracts.PoolStatus> value) {
        io.micrometer.core.instrument.Gauge.builder("infermesh.worker.pool." + what, pools,
                p -> p.status().stream().filter(s -> s.model().equals(model)).findFirst().map(value::applyAsDouble)
                        .orElse(0.0)).tag("model", model).register(meters);
    }

    /** {@code /actuator/pools}: each model's pool now. */
    @Bean
    PoolsEndpoint poolsEndpoint(Pools pools) {
        return new PoolsEndpoint(pools);
    }
}
