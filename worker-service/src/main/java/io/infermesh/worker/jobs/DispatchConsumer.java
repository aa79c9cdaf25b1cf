package io.infermesh.worker.jobs;

import io.infermesh.events.JobEventSender;
import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.Topics;
import io.infermesh.worker.WorkerProperties;
import io.infermesh.worker.catalogue.WorkerModels;
import io.infermesh.worker.engine.InferenceEngine;
import io.infermesh.worker.storage.ObjectStorage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.cloud.stream.binder.kafka.utils.DlqDestinationResolver;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.IntegrationMessageHeaderAccessor;
import org.springframework.messaging.Message;
import tools.jackson.databind.json.JsonMapper;

/** Wires the {@link JobRunner} to the dispatch topics, the lifecycle and results topics, and the object store. */
@Configuration(proxyBeanMethods = false)
class DispatchConsumer {

    private static final Logger log = LoggerFactory.getLogger(DispatchConsumer.class);

    @Bean
    WorkerModels workerModels(WorkerProperties properties) {
        WorkerModels models = WorkerModels.load(properties.modelsPath(), properties.models());
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

    @Bean
    JobRunner jobRunner(WorkerModels models, InferenceEngine engine, ObjectStorage storage, WorkerProperties properties,
            StreamBridge bridge, JsonMapper json, MeterRegistry meters) {
        JobEventSender sender = new JobEventSender(bridge, json, "worker-service");
        JobRunner.Events events = new JobRunner.Events() {
            @Override
            public void statusChanged(JobStatusChanged event) {
                sender.statusChanged(event);
                if (event.status().isTerminal()) {
                    String outcome = event.status().name().toLowerCase(java.util.Locale.ROOT);
                    meters.counter("infermesh.worker.jobs", "model", event.model(), "outcome", outcome,
                            "reason", event.reason() == null ? "none" : event.reason().name()).increment();
                    if (event.timings() != null && event.timings().inferenceMs() != null) {
                        Timer.builder("infermesh.worker.inference").tag("model", event.model())
                                .tag("cold", String.valueOf(event.coldStart())).register(meters)
                                .record(java.time.Duration.ofMillis(event.timings().inferenceMs()));
                    }
                }
            }

            @Override
            public void result(JobResult result) {
                sender.result(result);
            }
        };
        JobRunner.ResultWriter writer = (bucket, key, document) -> storage.write(bucket, key,
                json.writeValueAsBytes(document), "application/json");
        return new JobRunner(models, engine, storage, writer, events, properties.resultsBucket(),
                properties.resultsPrefix(), Clock.systemUTC());
    }

    @Bean
    Consumer<Message<byte[]>> runJob(JobRunner runner, JsonMapper json,
            @Value("${spring.cloud.stream.bindings.runJob-in-0.consumer.max-attempts:3}") int maxAttempts) {
        return message -> {
            JobDispatched job = json.readValue(message.getPayload(), JobDispatched.class);
            try {
                runner.run(job);
            } catch (RuntimeException e) {
                AtomicInteger attempt = message.getHeaders().get(IntegrationMessageHeaderAccessor.DELIVERY_ATTEMPT,
                        AtomicInteger.class);
                if (attempt == null || attempt.get() >= maxAttempts) {
                    log.error("job {} failed on its last delivery attempt; dead-lettering", job.jobId(), e);
                    runner.failUnexpectedly(job, e);
                }
                throw e;
            }
        };
    }

    /** Dead letters of {@code infermesh.jobs.dispatch.<model>} go to {@code infermesh.jobs.dispatch.<model>.dlq}. */
    @Bean
    DlqDestinationResolver dispatchDeadLetters() {
        return (record, error) -> record.topic() + Topics.DLQ_SUFFIX;
    }
}
