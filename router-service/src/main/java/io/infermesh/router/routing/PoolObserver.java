package io.infermesh.router.routing;

import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.PoolStatus;
import io.infermesh.router.tracking.PoolStatuses;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads {@code infermesh.workers.pools} into {@link PoolStatuses}. A record that is not a usable {@link PoolStatus}
 * (not JSON, another CloudEvents type, a field missing or out of range) is counted and logged and skipped, never
 * thrown: one bad publisher must not stop the router from hearing the others. Counted in
 * {@code infermesh.router.pool_statuses{outcome=accepted|stale|malformed}}.
 */
final class PoolObserver {

    private static final Logger log = LoggerFactory.getLogger(PoolObserver.class);

    private final JsonMapper json;
    private final PoolStatuses pools;
    private final Counter accepted;
    private final Counter stale;
    private final Counter malformed;

    PoolObserver(JsonMapper json, PoolStatuses pools, MeterRegistry meters) {
        this.json = json;
        this.pools = pools;
        this.accepted = meters.counter("infermesh.router.pool_statuses", "outcome", "accepted");
        this.stale = meters.counter("infermesh.router.pool_statuses", "outcome", "stale");
        this.malformed = meters.counter("infermesh.router.pool_statuses", "outcome", "malformed");
    }

    public void accept(Message<byte[]> message) {
        String key = header(message, KafkaHeaders.RECEIVED_KEY);
        try {
            String type = header(message, CloudEventTypes.HEADER_TYPE);
            if (type != null && !type.equals(CloudEventTypes.POOL_STATUS)) {
                reject(key, "ce_type '" + type + "' is not " + CloudEventTypes.POOL_STATUS);
                return;
            }
            PoolStatus status = json.readValue(message.getPayload(), PoolStatus.class);
            switch (pools.accept(status)) {
                case ACCEPTED -> accepted.increment();
                case STALE -> {
                    stale.increment();
                    log.debug(
                            "pool status {} measured at {} is older than {} or than the one held; ignored",
                            key,
                            status.at(),
                            pools.staleness());
                }
                case MALFORMED -> reject(key, PoolStatuses.problem(status));
            }
        } catch (JacksonException e) {
            reject(key, "not a PoolStatus: " + e.getOriginalMessage());
        } catch (RuntimeException e) {
            reject(key, e.toString());
        }
    }

    private void reject(String key, String why) {
        malformed.increment();
        log.warn("pool status record {} skipped: {}", key, why);
    }

    private static String header(Message<?> message, String name) {
        // the binder's header mapper hands over headers it did not write itself as raw bytes
        Object value = message.getHeaders().get(name);
        return value instanceof byte[] bytes
                ? new String(bytes, StandardCharsets.UTF_8)
                : value == null ? null : value.toString();
    }
}
