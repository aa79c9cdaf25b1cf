package io.infermesh.status.projection;

import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobStatusChanged;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataAccessException;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Spring Cloud Stream function bound to {@code infermesh.jobs.lifecycle} (binding {@code jobLifecycle-in-0}) in
 * batch mode: each poll's records are read here (raw bytes, native decoding), the ones that are not job status
 * changes are dead-lettered by {@link LifecycleDeadLetters} on the spot, and the rest are projected in one database
 * transaction, in the order of the batch (one job's events share a partition, so they keep their order). When the
 * transaction fails, the events are projected one by one: one the database refuses for what it is (invalid data, a
 * constraint, a trigger) is dead-lettered with the database's reason; any other failure (the database away, full,
 * read-only, a deadlock) propagates, and the whole batch is tried again by the container's error handler, without
 * end and without losing it (see {@code ProjectionBatches}).
 * Projecting an event twice changes nothing.
 */
@Component("jobLifecycle")
class JobLifecycleConsumer implements Consumer<Message<List<byte[]>>> {

    private final LifecycleProjection projection = new LifecycleProjection();
    private final JobProjectionStore store;
    private final ProjectionMetrics metrics;
    private final LifecycleDeadLetters deadLetters;
    private final JsonMapper json;
    private final DistributionSummary batchSizes;

    JobLifecycleConsumer(
            JobProjectionStore store,
            ProjectionMetrics metrics,
            LifecycleDeadLetters deadLetters,
            JsonMapper json,
            MeterRegistry registry) {
        this.store = store;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.json = json;
        this.batchSizes = DistributionSummary.builder("infermesh.status.batch.size")
                .description("Lifecycle records per projection batch (one transaction)")
                .register(registry);
    }

    @Override
    public void accept(Message<List<byte[]>> message) {
        List<byte[]> values = message.getPayload();
        batchSizes.record(values.size());
        List<?> headers = list(message, KafkaHeaders.BATCH_CONVERTED_HEADERS);
        List<JobStatusChanged> events = new ArrayList<>(values.size());
        List<Integer> origin = new ArrayList<>(values.size());
        // dead letters are sent only once the batch's projection is through: a batch tried again after an outage
        // does not send them twice
        Map<Integer, RejectedEvent> rejected = new TreeMap<>();
        for (int i = 0; i < values.size(); i++) {
            try {
                events.add(projection.accept(
                        read(values.get(i)), text(headersOf(headers, i).get(CloudEventTypes.HEADER_TYPE))));
                origin.add(i);
            } catch (RejectedEvent e) {
                rejected.put(i, e);
            }
        }
        List<Outcome> outcomes;
        try {
            outcomes = store.projectAll(events);
        } catch (DataAccessException batchFailed) {
            outcomes = oneByOne(events, origin, batchFailed, rejected);
        }
        rejected.forEach((i, why) -> deadLetter(message, i, why));
        for (int i = 0; i < events.size(); i++) {
            if (outcomes.get(i) != null) {
                metrics.projected(events.get(i).status(), outcomes.get(i));
            }
        }
    }

    /**
     * The batch's transaction failed: each event alone, in order. An event the database refuses for what it is —
     * invalid data (SQLSTATE class 22), a constraint (23), a trigger's exception (P0) — would fail every time and
     * hold its partition up for good: it is dead-lettered with the database's reason. Any other failure (the
     * database away, full, read-only, a deadlock or a timeout) propagates, and the whole batch is tried again later.
     */
    private List<Outcome> oneByOne(
            List<JobStatusChanged> events,
            List<Integer> origin,
            DataAccessException batchFailed,
            Map<Integer, RejectedEvent> rejected) {
        List<Outcome> outcomes = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            try {
                outcomes.add(store.project(events.get(i)));
            } catch (DataAccessException refused) {
                String state = sqlState(refused);
                if (state == null || !(state.startsWith("22") || state.startsWith("23") || state.startsWith("P0"))) {
                    batchFailed.addSuppressed(refused);
                    throw batchFailed;
                }
                outcomes.add(null);
                rejected.put(
                        origin.get(i),
                        new RejectedEvent("the job store refuses the event of job "
                                + events.get(i).jobId() + " (SQLSTATE " + state + "): "
                                + NestedExceptionUtils.getMostSpecificCause(refused)
                                        .getMessage()));
            }
        }
        return outcomes;
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    private void deadLetter(Message<List<byte[]>> message, int i, RejectedEvent why) {
        Object topics = message.getHeaders().get(KafkaHeaders.RECEIVED_TOPIC);
        Object topic = topics instanceof List<?> l ? at(l, i) : topics;
        deadLetters.send(
                message.getPayload().get(i),
                text(at(list(message, KafkaHeaders.RECEIVED_KEY), i)),
                headersOf(list(message, KafkaHeaders.BATCH_CONVERTED_HEADERS), i),
                String.valueOf(topic),
                at(list(message, KafkaHeaders.RECEIVED_PARTITION), i),
                at(list(message, KafkaHeaders.OFFSET), i),
                why);
    }

    private static Map<?, ?> headersOf(List<?> headers, int i) {
        return at(headers, i) instanceof Map<?, ?> m ? m : Map.of();
    }

    /** The record as a status change, or what it is instead (a {@link RejectedEvent} says why). */
    private Object read(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            return json.readValue(value, JobStatusChanged.class);
        } catch (JacksonException e) {
            throw new RejectedEvent(
                    "the record value is not a JobStatusChanged JSON object: " + e.getOriginalMessage());
        }
    }

    private static List<?> list(Message<?> message, String header) {
        return message.getHeaders().get(header) instanceof List<?> l ? l : List.of();
    }

    private static Object at(List<?> list, int i) {
        return i < list.size() ? list.get(i) : null;
    }

    private static String text(Object value) {
        // headers the binder did not write itself arrive as raw bytes
        return value instanceof byte[] bytes
                ? new String(bytes, StandardCharsets.UTF_8)
                : value == null ? null : value.toString();
    }
}
