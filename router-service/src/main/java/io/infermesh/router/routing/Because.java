package io.infermesh.router.routing;

/**
 * Why a {@link RoutingFailure} or an {@link UnreadableRecord} happened, in words for people; its own cause is the
 * original failure (the SDK's, Kafka's or Jackson's exception), kept for the log and the stack-trace header. The Kafka
 * binder writes a dead letter's {@code x-exception-message} as "{@code <exception's message>; <its cause's
 * message>}" (and needs a cause): with this cause that reads "the router could not place attempt 1 of job j; Kafka
 * did not take …", which status-service puts into the job's FAILED message, and the original's text stays out.
 */
final class Because extends RuntimeException {

    Because(String why, Throwable original) {
        super(why, original);
    }
}
