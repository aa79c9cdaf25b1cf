package io.infermesh.ingest.intake;

import io.infermesh.contracts.Topics;
import io.infermesh.events.DeadLetter;
import io.infermesh.events.DeadLetterWriter;
import io.infermesh.events.DeadLetters;
import io.infermesh.ingest.notification.MalformedNotificationException;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notifications that cannot be read, whichever intake they came by, go to {@code infermesh.storage.events.dlq}
 * through event-publishing's {@link DeadLetterWriter}: the message as it came, with the {@link DeadLetters} headers
 * (the parser's own sentence as the reason, where it came from), counted as
 * {@code infermesh.ingest.dead-lettered{intake,reason}} and logged at WARN in one line. The binder's own dead letters
 * (retries of a Kafka failure exhausted) are not written here.
 */
public class UnreadableNotifications {

    static final String TOPIC = Topics.STORAGE_EVENTS.dlq();
    private static final int PREVIEW_CHARS = 80;
    private static final Logger log = LoggerFactory.getLogger(UnreadableNotifications.class);

    private final DeadLetterWriter writer;
    private final MeterRegistry meters;

    public UnreadableNotifications(DeadLetterWriter writer, MeterRegistry meters) {
        this.writer = writer;
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
     * @param letter the message as it came and where from
     * @param described a short name of the message for the log line, e.g. {@code record 2@17 (key k)}
     * @throws IllegalStateException when Kafka did not take it
     */
    public void deadLetter(String intake, DeadLetter letter, MalformedNotificationException why, String described) {
        writer.write(TOPIC, letter, why);
        meters.counter(
                        "infermesh.ingest.dead-lettered",
                        "intake",
                        intake,
                        "reason",
                        why.reason().tag())
                .increment();
        log.warn(
                "{} via {} dead-lettered on {} ({}): {}; it began {}",
                described,
                intake,
                TOPIC,
                why.reason().tag(),
                why.getMessage(),
                preview(letter.value()));
    }

    private static String preview(byte[] payload) {
        String text = new String(payload, 0, Math.min(payload.length, PREVIEW_CHARS * 4), StandardCharsets.UTF_8);
        String shown = text.codePoints()
                .limit(PREVIEW_CHARS)
                .map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        return "'" + shown + (payload.length > shown.length() ? "…'" : "'");
    }
}
