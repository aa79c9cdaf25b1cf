package io.infermesh.status.projection;

/**
 * A record on the lifecycle topic that is not a job status change status-service understands, or an event the job
 * store refuses for what it is. Retrying cannot help: {@link JobLifecycleConsumer} sends it to
 * {@code infermesh.jobs.lifecycle.dlq} ({@link LifecycleDeadLetters}), where it is counted and visible, instead of
 * being logged and dropped.
 */
class RejectedEvent extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RejectedEvent(String message) {
        super(message);
    }
}
