package io.infermesh.ingest.notification;

import io.infermesh.contracts.JobResult;
import io.infermesh.contracts.JobStatusChanged;

/**
 * What a cloud backend reported about a job's attempt: an AWS Lambda asynchronous-invocation destination record
 * ({@link LambdaDestinationRecords}) or an AWS Batch job state change ({@link BatchJobStateChanges}).
 */
public sealed interface BackendReport extends QueueMessage {

    /**
     * The attempt moved to a new status.
     *
     * @param event the lifecycle event to publish
     * @param result the result to publish with a SUCCEEDED event when its output is known, else null
     */
    record StatusChange(JobStatusChanged event, JobResult result) implements BackendReport {}

    /**
     * A well-formed report about something that is not an infermesh job (another team's function or Batch job on a
     * shared queue): ignored and counted.
     *
     * @param reason the metric tag, e.g. {@code foreign-lambda-record}
     */
    record NotOurs(String reason) implements BackendReport {}

    /**
     * A report that says nothing the lifecycle does not already know (a Batch job still queued: the router announced
     * RUNNABLE with its decision when it submitted the job): acknowledged and counted.
     *
     * @param reason the metric tag, e.g. {@code batch-job-queued}
     */
    record NothingNew(String reason) implements BackendReport {}
}
