package io.infermesh.status.projection;

import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobStatusChanged;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * The Spring Cloud Stream function bound to {@code infermesh.jobs.lifecycle} (binding {@code jobLifecycle-in-0}).
 * Anything it throws is retried by the binder and then dead-lettered; {@link RejectedEvent} is not retried.
 */
@Component("jobLifecycle")
class JobLifecycleConsumer implements Consumer<Message<JobStatusChanged>> {

    private final LifecycleProjection projection = new LifecycleProjection();
    private final JobProjectionStore store;
    private final ProjectionMetrics metrics;

    JobLifecycleConsumer(JobProjectionStore store, ProjectionMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    @Override
    public void accept(Message<JobStatusChanged> message) {
        // Read as Object: when the record was not JSON the converter hands over the raw bytes despite the generic type.
        Object payload = message.getPayload();
        JobStatusChanged event = projection.accept(payload, header(message, CloudEventTypes.HEADER_TYPE));
        metrics.projected(event.status(), store.project(event));
    }

    private static String header(Message<?> message, String name) {
        // The binder's header mapper hands over headers it did not write itself as raw bytes.
        Object value = message.getHeaders().get(name);
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                : value == null ? null : value.toString();
    }
}
