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
 * Wires the pool's {@link JobRunner}: its events sink is the lifecycle and results topics (with the job metrics), its
 * inputs and {@code result.json} the object store, and it skips the cancelled jobs read from the cancellations topic.
 * The Lambda handler and {@code predict} build the same runner without Spring ({@link JobRunner#outsideThePool}).
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
        return new JobRunner(
                models,
                engine,
                storage::read,
                JobRunner.ResultWriter.stored(storage, json),
                events,
                cancelled::contains,
                properties.resultsBucket(),
                properties.resultsPrefix(),
                Clock.systemUTC());
    }
}
