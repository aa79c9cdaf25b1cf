package io.infermesh.worker.storage;

import io.infermesh.worker.WorkerProperties;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;

/** Health of the object store ({@code s3} component): the results bucket (or the endpoint) answers. */
@Component("s3")
class ObjectStorageHealthIndicator extends AbstractHealthIndicator {

    private final ObjectStorage storage;
    private final WorkerProperties properties;

    ObjectStorageHealthIndicator(ObjectStorage storage, WorkerProperties properties) {
        super("object store is not reachable");
        this.storage = storage;
        this.properties = properties;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        storage.ping(properties.resultsBucket());
        builder.up().withDetail("endpoint", String.valueOf(properties.s3().endpoint()));
    }
}
