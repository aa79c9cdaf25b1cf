package io.infermesh.status.projection;

/**
 * A record on the lifecycle topic that is not a job status change status-service understands. Retrying cannot help,
 * so the binding is configured not to retry it: it goes straight to {@code infermesh.jobs.lifecycle.dlq}, where it
 * is counted and visible, instead of being logged and dropped.
 */
class RejectedEvent extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RejectedEvent(String message) {
        super(message);
    }
}
