package io.infermesh.router.aws;

import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.RemoteJob;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.batch.model.AttemptDetail;
import software.amazon.awssdk.services.batch.model.JobDetail;

/**
 * Why an AWS Batch job failed, in a sentence for the job's message: Batch's own words ({@code statusReason}, the
 * container's {@code reason}: "Essential container in task exited", "OutOfMemoryError: Container killed due to memory
 * usage", "CannotPullContainerError: …", "Host EC2 (instance i-…) terminated.") are recognised and said as what
 * happened and what to do, naming the Batch job, its queue and, where it helps, its job definition, exit code and log
 * stream — never copied: they go to the router's log. The failure reason is {@link RemoteJob#failureReasonOfBatch}'s,
 * as ingest-service gives it for the same job's state-change event. Plain logic: no client, no Kafka.
 */
final class BatchFailures {

    /** An error name Batch puts before its explanation: {@code CannotPullContainerError: …}. */
    private static final Pattern ERROR_NAME = Pattern.compile("^([A-Z][A-Za-z]*Error)\\b");

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
        String statusReason = statusReason(detail);
        FailureReason reason = RemoteJob.failureReasonOfBatch(statusReason);
        String job = "AWS Batch job " + detail.jobName() + " (" + detail.jobId() + ") on queue '"
                + lastSegment(detail.jobQueue(), '/') + "'";
        String definition = "job definition '" + lastSegment(detail.jobDefinition(), '/') + "'";
        Integer exitCode = exitCode(detail);
        String containerReason = containerReason(detail);
        String stream = logStream(detail);
        String error = errorName(containerReason) != null ? errorName(containerReason) : errorName(statusReason);
        String exit = exitCode == null ? "" : " (exit code " + exitCode + ")";
        if (reason == FailureReason.TIMEOUT) {
            Integer limit = detail.timeout() == null ? null : detail.timeout().attemptDurationSeconds();
            return new Failure(
                    reason,
                    "AWS Batch stopped " + job.substring("AWS Batch ".length()) + " when it"
                            + " reached its attempt timeout" + (limit == null ? "" : " of " + limit + " s") + ": raise"
                            + " resources.timeoutSeconds in the card of model '" + model
                            + "' if the model needs longer");
        }
        if ("OutOfMemoryError".equals(error)) {
            return new Failure(
                    reason,
                    "the container of " + job + " ran out of memory and was killed" + exit + ": give " + definition
                            + " more memory");
        }
        if (error != null && (error.startsWith("Cannot") || error.equals("ResourceInitializationError"))) {
            return new Failure(
                    reason,
                    "AWS Batch could not start the container of "
                            + job.substring("AWS Batch ".length()) + " (" + error + "): check the image of "
                            + definition
                            + " and that the compute environment can pull and run it");
        }
        if (statusReason != null && statusReason.startsWith("Host EC2") && statusReason.contains("terminated")) {
            return new Failure(
                    reason,
                    "the instance running " + job + " was terminated before the job finished"
                            + " (a Spot reclaim or a scale-in): retry the job");
        }
        if (exitCode != null && exitCode != 0) {
            return new Failure(
                    reason,
                    "the worker in " + job + " exited with code " + exitCode + ": its CloudWatch" + " Logs stream"
                            + (stream == null ? "" : " '" + stream + "'") + " says why");
        }
        return new Failure(
                reason,
                job + " failed" + (exitCode == null ? " without an exit code" : exit)
                        + ": the Batch console shows AWS Batch's reason for it, and so does the router's log");
    }

    /** Batch's own words about the failure, for the log. */
    static String rawReason(JobDetail detail) {
        return "statusReason=" + statusReason(detail) + ", exitCode=" + exitCode(detail) + ", containerReason="
                + containerReason(detail);
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

    private static String errorName(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = ERROR_NAME.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    private static String lastSegment(String arnOrName, char separator) {
        if (arnOrName == null) {
            return "(unknown)";
        }
        return arnOrName.substring(arnOrName.lastIndexOf(separator) + 1);
    }
}
