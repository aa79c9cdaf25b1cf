package io.infermesh.worker.jobs;

import io.infermesh.events.JobEventSender;
import io.infermesh.worker.WorkerProperties;
import io.infermesh.worker.cancellations.CancelledJobs;
import io.infermesh.worker.catalogue.WorkerModels;
import io.infermesh.worker.engine.InferenceEngine;
import io.infermesh.worker.storage.ObjectStorage;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires the {@link JobRunner} to the lifecycle and results topics (with the job metrics), the object store for
 * inputs and {@code result.json}, and the cancelled jobs read from the cancellations topic.
 */
@Configuration(proxyBeanMethods = false)
class JobsConfiguration {

    @Bean
    JobRunner jobRunner(
            WorkerModels models,
            InferenceEngine engine,
            ObjectStorage storage,
            WorkerProperties properties,
            StreamBridge bridge,
            JsonMapper json,
            MeterRegistry meters,
            CancelledJobs cancelled) {
        JobRunner.Events events = new PublishedJobEvents(new JobEventSender(bridge, json, "worker-service"), meters);
        JobRunner.ResultWriter writer = (bucket, key, document) ->
                storage.write(bucket, key, json.writeValueAsBytes(document), "application/json");
        return new JobRunner(
                models,
                engine,
                storage,
                writer,
                events,
                cancelled::contains,
                properties.resultsBucket(),
                properties.resultsPrefix(),
                Clock.systemUTC());
    }
}
