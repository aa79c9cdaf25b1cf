package io.infermesh.worker.storage;

import io.infermesh.worker.WorkerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The object store the worker reads inputs and model artefacts from and writes results to. */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

    @Bean(destroyMethod = "close")
    ObjectStorage objectStorage(WorkerProperties properties) {
        return new ObjectStorage(ObjectStorage.client(properties.s3()));
    }
}
