package io.infermesh.ingest.intake;

import io.infermesh.contracts.Topics;
import io.infermesh.events.DeadLetters;
import io.infermesh.ingest.notification.MalformedNotificationException;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.stream.function.StreamOperations;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.stereotype.Component;

/**
 * The one writer of {@code infermesh.storage.events.dlq} for notifications that cannot be read, whichever intake they
 * came by: the message as it came, with the {@link DeadLetters} headers (the parser's own sentence as the reason,
 * where it came from), counted as {@code infermesh.ingest.dead-lettered{intake,reason}} and logged at WARN in one line.
 * The binder's own dead letters (retries of a Kafka failure exhausted) are not written here.
 */
@Component
public class DeadLetterWriter {

    static final String TOPIC = Topics.STORAGE_EVENTS.dlq();
    private static final int PREVIEW_CHARS = 80;
    private static final Logger log = LoggerFactory.getLogger(DeadLetterWriter.class);

    private final StreamOperations bridge;
    private final MeterRegistry meters;

    public DeadLetterWriter(StreamOperations bridge, MeterRegistry meters) {
        this.bridge = bridge;
        this.meters = meters;
    }

    /** Registers an intake's dead-letter counters, one per reason, so that dashboards show zeros, not gaps. */
    public void register(String intake) {
        for (MalformedNotificationException.Reason reason : MalformedNotificationException.Reason.values()) {
            meters.counter("infermesh.ingest.dead-lettered", "intake", intake, "reason", reason.tag());
        }
    }

    /**
     * Publishes one dead letter (acknowledged by Kafka) and counts it.
     *
     * @param key the record key (the original record's, or the message id of a queue)
     * @param origin where it came from: {@link DeadLetters} {@code ORIGINAL_*} headers and their values
     * @param described a short name of the message for the log line, e.g. {@code record 2@17 (key k)}
     * @throws IllegalStateException when Kafka did not take it
     */
    public void write(String intake, byte[] payload, byte[] key, Map<String, Object> origin,
            MalformedNotificationException why, String described) {
        var record = MessageBuilder.withPayload(payload)
                .setHeader(DeadLetters.EXCEPTION_MESSAGE, why.getMessage())
                .setHeader(DeadLetters.EXCEPTION_FQCN, why.getClass().getName())
                .copyHeaders(origin)
                .setHeader(MessageHeaders.CONTENT_TYPE, "application/octet-stream");
        if (key != null) {
            record.setHeader(KafkaHeaders.KEY, key);
        }
        if (!bridge.send(TOPIC, record.build())) {
            throw new IllegalStateException("could not dead-letter " + described + " on " + TOPIC);
        }
        meters.counter("infermesh.ingest.dead-lettered", "intake", intake, "reason", why.reason().tag()).increment();
        log.warn("{} via {} dead-lettered on {} ({}): {}; it began {}", described, intake, TOPIC, why.reason().tag(),
                why.getMessage(), preview(payload));
    }

    private static String preview(byte[] payload) {
        String text = new String(payload, 0, Math.min(payload.length, PREVIEW_CHARS * 4), StandardCharsets.UTF_8);
        String shown = text.codePoints().limit(PREVIEW_CHARS)
                .map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return "'" + shown + (payload.length > shown.length() ? "…'" : "'");
    }
}
