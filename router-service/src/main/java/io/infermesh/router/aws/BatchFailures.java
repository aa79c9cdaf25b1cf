package io.infermesh.router.aws;

import io.infermesh.contracts.BatchJobFailure;
import io.infermesh.contracts.FailureReason;
import java.util.List;
import software.amazon.awssdk.services.batch.model.AttemptDetail;
import software.amazon.awssdk.services.batch.model.JobDetail;

/**
 * Why an AWS Batch job failed, as {@link BatchJobFailure} words it from {@code DescribeJobs}' {@link JobDetail}: the
 * same sentence and reason ingest-service gives for the same job's EventBridge state change. Plain logic: no client,
 * no Kafka.
 */
final class BatchFailures {

    /**
     * A Batch job's failure.
     *
     * @param reason the machine-readable reason
     * @param message the sentence
     */
    record Failure(FailureReason reason, String message) {}

    private BatchFailures() {}

    /** The failure of {@code detail}, a FAILED job of {@code model}'s. */
    static Failure of(JobDetail detail, String model) {
        BatchJobFailure failure = facts(detail);
        return new Failure(failure.reason(), failure.sentence(model));
    }

    /** Batch's own words about the failure, for the log. */
    static String rawReason(JobDetail detail) {
        return facts(detail).raw();
    }

    private static BatchJobFailure facts(JobDetail detail) {
        return new BatchJobFailure(
                detail.jobId(),
                detail.jobName(),
                detail.jobQueue(),
                detail.jobDefinition(),
                statusReason(detail),
                exitCode(detail),
                containerReason(detail),
                logStream(detail),
                detail.timeout() == null ? null : detail.timeout().attemptDurationSeconds());
    }

    private static String statusReason(JobDetail detail) {
        if (detail.statusReason() != null) {
            return detail.statusReason();
        }
        AttemptDetail last = lastAttempt(detail);
        return last == null ? null : last.statusReason();
    }

    private static Integer exitCode(JobDetail detail) {
        if (detail.container() != null && detail.container().exitCode() != null) {
            return detail.container().exitCode();
        }
        AttemptDetail last = lastAttempt(detail);
        return last == null || last.container() == null
                ? null
                : last.container().exitCode();
    }

    private static String containerReason(JobDetail detail) {
        if (detail.container() != null && detail.container().reason() != null) {
            return detail.container().reason();
        }
        AttemptDetail last = lastAttempt(detail);
        return last == null || last.container() == null
                ? null
                : last.container().reason();
    }

    private static String logStream(JobDetail detail) {
        if (detail.container() != null && detail.container().logStreamName() != null) {
            return detail.container().logStreamName();
        }
        AttemptDetail last = lastAttempt(detail);
        return last == null || last.container() == null
                ? null
                : last.container().logStreamName();
    }

    private static AttemptDetail lastAttempt(JobDetail detail) {
        List<AttemptDetail> attempts = detail.hasAttempts() ? detail.attempts() : List.of();
        return attempts.isEmpty() ? null : attempts.getLast();
    }
}
