package io.infermesh.status.projection;

import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;

/**
 * Decides what a lifecycle record means for the job store, without touching it.
 *
 * <p>The ordering rule of the whole projection is {@link #supersedes}: an event moves a job only when its
 * {@code (attempt, status rank)} is greater than the job's. {@code JobProjectionStore} evaluates the same rule
 * inside its upsert so that it holds under concurrent writers; this class states it, checks that a record is an
 * event the rule can be applied to, and names what happened.
 */
final class LifecycleProjection {

    /**
     * The event to project, or a {@link RejectedEvent} saying why the record is not one.
     *
     * @param payload the converted record value (a {@link JobStatusChanged}, or whatever the converter made of a
     *     record that was not one)
     * @param cloudEventType the record's {@code ce_type} header, or null when it has none
     */
    JobStatusChanged accept(Object payload, String cloudEventType) {
        if (cloudEventType != null && !CloudEventTypes.JOB_STATUS_CHANGED.equals(cloudEventType)) {
            throw new RejectedEvent("ce_type '" + cloudEventType + "' is not " + CloudEventTypes.JOB_STATUS_CHANGED);
        }
        if (!(payload instanceof JobStatusChanged event)) {
            throw new RejectedEvent("the record value is not a JobStatusChanged JSON object but "
                    + (payload == null ? "null" : payload.getClass().getName()));
        }
        if (event.jobId() == null || event.jobId().isBlank()) {
            throw new RejectedEvent("the event has no jobId: " + event);
        }
        if (event.status() == null) {
            throw new RejectedEvent("the event of job " + event.jobId() + " has no status");
        }
        if (event.attempt() < 1) {
            throw new RejectedEvent(
                    "the event of job " + event.jobId() + " has attempt " + event.attempt() + "; attempts start at 1");
        }
        if (event.occurredAt() == null) {
            throw new RejectedEvent("the event of job " + event.jobId() + " has no occurredAt");
        }
        if (event.eventId() == null || event.eventId().isBlank()) {
            throw new RejectedEvent("the event of job " + event.jobId() + " has no eventId");
        }
        return event;
    }

    /**
     * Whether an event at {@code (attempt, status)} moves a job that is at {@code (currentAttempt, currentStatus)}:
     * a later attempt always does, a later status of the same attempt does, anything else is stale. SUCCEEDED, FAILED
     * and CANCELLED share a rank, so the first terminal status of an attempt is the one that stays. Two outcomes are
     * final (ADR 0016): nothing moves a SUCCEEDED or CANCELLED job, not even an event of another attempt (a late
     * Lambda failure of attempt 2 after attempt 1 succeeded goes to the history only); and a CANCELLED moves a job only
     * if it has not started RUNNING in that attempt, since a cancel is a request that the work may have overtaken.
     */
    static boolean supersedes(int attempt, JobStatus status, int currentAttempt, JobStatus currentStatus) {
        if (currentStatus == JobStatus.SUCCEEDED || currentStatus == JobStatus.CANCELLED) {
            return false;
        }
        if (status == JobStatus.CANCELLED
                && attempt == currentAttempt
                && currentStatus.rank() >= JobStatus.RUNNING.rank()) {
            return false;
        }
        return attempt > currentAttempt || (attempt == currentAttempt && status.rank() > currentStatus.rank());
    }

    /**
     * Names what projecting {@code event} did.
     *
     * @param recorded whether the event id was new to the history
     * @param after the job's {@code (attempt, status)} after the event, or null when the event changed nothing
     */
    static Outcome outcome(JobStatusChanged event, boolean recorded, JobState after) {
        if (!recorded) {
            return Outcome.DUPLICATE;
        }
        return after != null && after.attempt() == event.attempt() && after.status() == event.status()
                ? Outcome.APPLIED
                : Outcome.STALE;
    }

    /** Where a job stands: its attempt and status. */
    record JobState(int attempt, JobStatus status) {}
}
