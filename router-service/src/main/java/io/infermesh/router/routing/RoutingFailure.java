package io.infermesh.router.routing;

import io.infermesh.router.backend.BackendException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessagingException;

/**
 * A record the router could not act on: retried by the binding, then dead-lettered. Its message and its cause's make the dead
 * letter's {@code x-exception-message}, with which status-service settles a dead-lettered request's job FAILED; so it is a
 * sentence saying what the router was doing and what failed — a backend's own sentence ({@link BackendException}),
 * Kafka, or an unexpected error — never an SDK's, Kafka's or Jackson's own text: the failure itself is logged here,
 * with its stack. A {@link MessagingException} that names the record, so that the binder passes it on as it is
 * instead of wrapping it in words of its own ("error occurred in message handler …"). Its message says what the router
 * was doing, its cause ({@link Because}) why: the dead letter reads "the router could not place attempt 1 of job j;
 * Kafka did not take the dispatch record on …".
 */
final class RoutingFailure extends MessagingException {

    private static final Logger log = LoggerFactory.getLogger(RoutingFailure.class);

    private RoutingFailure(Message<?> record, String doing, Because why) {
        super(record, "the router could not " + doing, why);
    }

    /**
     * @param doing what the router was doing, completing "the router could not …": "place attempt 1 of job j"
     */
    static RoutingFailure of(Message<?> record, String doing, RuntimeException e) {
        String why;
        if (e instanceof BackendException backend) {
            why = backend.getMessage();
        } else if (fromKafka(e)) {
            why = "Kafka did not take an event the router published (the router's log has the producer's error)";
        } else {
            why = "an unexpected error (the router's log has the details)";
        }
        log.warn("the router could not {}; the record is retried, then dead-lettered", doing, e);
        return new RoutingFailure(record, doing, new Because(why, e));
    }

    private static boolean fromKafka(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String name = t.getClass().getName();
            if (name.startsWith("org.apache.kafka.") || name.startsWith("org.springframework.kafka.")) {
                return true;
            }
        }
        return false;
    }
}
