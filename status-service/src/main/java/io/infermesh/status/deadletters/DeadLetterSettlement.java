package io.infermesh.status.deadletters;

import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import java.time.Instant;
import java.util.Optional;

/**
 * How a dead-lettered job request or dispatch settles its job: a job that can no longer make progress ends FAILED
 * ({@code DEAD_LETTERED}) at its current attempt, with a sentence saying where and why; a job that already ended is
 * left alone. Plain logic: no Kafka, no database.
 */
final class DeadLetterSettlement {

    /** What the store knows of the job, if anything. */
    record Current(int attempt, JobStatus status, String model, String owner) {}

    private DeadLetterSettlement() {}

    static Optional<JobStatusChanged> settle(
            String jobId, Optional<Current> current, String topic, String why, Instant now) {
        if (jobId == null
                || jobId.isBlank()
                || current.map(c -> c.status().isTerminal()).orElse(false)) {
            return Optional.empty();
        }
        String message = "a message about this job could not be processed and was dead-lettered on " + topic
                + (why == null || why.isBlank() ? "" : ": " + why);
        return Optional.of(JobStatusChanged.of(
                        jobId,
                        current.map(Current::model).orElse("unknown"),
                        current.map(Current::owner).orElse("unknown"),
                        JobStatus.FAILED,
                        current.map(Current::attempt).orElse(1),
                        now)
                .withFailure(FailureReason.DEAD_LETTERED, message));
    }
}
