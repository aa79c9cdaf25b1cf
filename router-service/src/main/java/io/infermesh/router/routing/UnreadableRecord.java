package io.infermesh.router.routing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessagingException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;

/**
 * A record the router cannot decode: retrying will not help (the bindings' {@code retryable-exceptions} say so), it
 * is dead-lettered at once. Its message and its cause's make the dead letter's {@code x-exception-message}, with which
 * status-service settles a dead-lettered request's job FAILED: a sentence naming the topic and where the record stops
 * making sense,
 * never the parser's own text (that is logged here). A {@link MessagingException} that names the record, so that the
 * binder passes it on as it is instead of wrapping it in words of its own ("error occurred in message handler …");
 * its message names the topic, its cause ({@link Because}) what is wrong: the dead letter reads "the router cannot read
 * this record on infermesh.jobs.requested; it is not a job request it understands …".
 */
final class UnreadableRecord extends MessagingException {

    private static final Logger log = LoggerFactory.getLogger(UnreadableRecord.class);

    private UnreadableRecord(Message<?> record, String topic, Because why) {
        super(record, "the router cannot read this record on " + topic, why);
    }

    /**
     * @param topic where the record came from
     * @param expected what it should have been, completing "it is not …": "a job request it understands
     *     (JobRequested JSON)"
     */
    static UnreadableRecord of(Message<?> record, String topic, String expected, JacksonException e) {
        TokenStreamLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 1
                ? ""
                : ", the problem is at line " + at.getLineNr() + ", column " + at.getColumnNr();
        log.warn("record on {} dead-lettered, it is not {}: {}", topic, expected, e.getOriginalMessage());
        return new UnreadableRecord(
                record,
                topic,
                new Because(
                        "it is not " + expected + where + " (its writer must be fixed, retrying will not help)", e));
    }
}
