package io.infermesh.worker.catalogue;

import io.infermesh.worker.WorkerProperties;
import io.infermesh.worker.engine.InferenceEngine;
import io.infermesh.worker.storage.ObjectStorage;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * The models this worker serves, their artefacts fetched from the models bucket where the card says, and the one
 * engine that runs them for the pools, REST and OIP alike.
 */
@Configuration(proxyBeanMethods = false)
class ModelsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ModelsConfiguration.class);

    @Bean
    WorkerModels workerModels(WorkerProperties properties, ObjectStorage storage) {
        WorkerModels models = WorkerModels.load(
                properties.modelsPath(),
                properties.models(),
                new BucketArtifacts(storage, Path.of(properties.artifactCache())));
        if (models.names().isEmpty()) {
            throw new IllegalStateException("worker-service has no model to serve: no model.yaml under "
                    + properties.modelsPath().toAbsolutePath() + " (set infermesh.worker.models-dir)");
        }
        log.info(
                "serving models {} from {}",
                models.names(),
                properties.modelsPath().toAbsolutePath());
        return models;
    }

    @Bean(destroyMethod = "close")
    InferenceEngine inferenceEngine(JsonMapper json, WorkerProperties properties) {
        return new InferenceEngine(json, properties.intraOpThreads());
    }
}
