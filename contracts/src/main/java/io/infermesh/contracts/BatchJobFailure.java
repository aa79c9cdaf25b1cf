package io.infermesh.contracts;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What AWS Batch says about a FAILED job, and the one sentence infermesh makes of it for the job's message: Batch's
 * own words ({@code statusReason}, the container's {@code reason}: "Essential container in task exited",
 * "OutOfMemoryError: Container killed due to memory usage", "CannotPullContainerError: …", "Host EC2 (instance i-…)
 * terminated.") are recognised and said as what happened and what to do, naming the Batch job, its queue and, where
 * it helps, its job definition, exit code and log stream — never copied into the sentence: the services log them
 * ({@link #raw()}).
 *
 * <p>The router (which polls {@code DescribeJobs}) and ingest (which reads the EventBridge state change) report the
 * same failure with the same event id, so both build their message here: whichever arrives first, the job's message
 * is the same.
 *
 * @param jobId Batch's job id
 * @param jobName the job's name ({@code infermesh-<jobId>-a<attempt>})
 * @param queue the job queue, a name or an ARN
 * @param definition the job definition, a name or an ARN
 * @param statusReason Batch's status reason, the job's or its last attempt's
 * @param exitCode the container's exit code, null when it never ran or Batch does not say
 * @param containerReason the container's reason, the job's or its last attempt's
 * @param logStream the container's CloudWatch Logs stream
 * @param attemptTimeoutSeconds the job's attempt timeout, if it has one
 */
public record BatchJobFailure(
        String jobId,
        String jobName,
        String queue,
        String definition,
        String statusReason,
        Integer exitCode,
        String containerReason,
        String logStream,
        Integer attemptTimeoutSeconds) {

    /** An error name Batch puts before its explanation: {@code CannotPullContainerError: …}. */
    private static final Pattern ERROR_NAME = Pattern.compile("^([A-Z][A-Za-z]*Error)\\b");

    /** TIMEOUT when Batch stopped the job for its time limit, else BACKEND_ERROR. */
    public FailureReason reason() {
        return JobDispatched.failureReasonOfBatch(statusReason);
    }

    /** The sentence for the FAILED event of a job of {@code model}. */
    public String sentence(String model) {
        String job = "AWS Batch job " + jobName + " (" + jobId + ") on queue '" + lastSegment(queue) + "'";
        String ofDefinition = "job definition '" + lastSegment(definition) + "'";
        String error = errorName(containerReason) != null ? errorName(containerReason) : errorName(statusReason);
        String exit = exitCode == null ? "" : " (exit code " + exitCode + ")";
        if (reason() == FailureReason.TIMEOUT) {
            return "AWS Batch stopped " + job.substring("AWS Batch ".length()) + " when it reached its attempt timeout"
                    + (attemptTimeoutSeconds == null ? "" : " of " + attemptTimeoutSeconds + " s")
                    + ": raise resources.timeoutSeconds in the card of model '" + model
                    + "' if the model needs longer";
        }
        if ("OutOfMemoryError".equals(error)) {
            return "the container of " + job + " ran out of memory and was killed" + exit + ": give " + ofDefinition
                    + " more memory";
        }
        if (error != null && (error.startsWith("Cannot") || error.equals("ResourceInitializationError"))) {
            return "AWS Batch could not start the container of " + job.substring("AWS Batch ".length()) + " (" + error
                    + "): check the image of " + ofDefinition + " and that the compute environment can pull and run it";
        }
        if (statusReason != null && statusReason.startsWith("Host EC2") && statusReason.contains("terminated")) {
            return "the instance running " + job + " was terminated before the job finished"
                    + " (a Spot reclaim or a scale-in): retry the job";
        }
        if (exitCode != null && exitCode != 0) {
            return "the worker in " + job + " exited with code " + exitCode + ": its CloudWatch Logs stream"
                    + (logStream == null ? "" : " '" + logStream + "'") + " says why";
        }
        return job + " failed" + (exitCode == null ? " without an exit code" : exit)
                + ": the Batch console shows AWS Batch's reason for it, and so do the router's and ingest's logs";
    }

    /** Batch's own words about the failure, for the log. */
    public String raw() {
        return "statusReason=" + statusReason + ", exitCode=" + exitCode + ", containerReason=" + containerReason;
    }

    private static String errorName(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = ERROR_NAME.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    private static String lastSegment(String arnOrName) {
        return arnOrName == null ? "(unknown)" : arnOrName.substring(arnOrName.lastIndexOf('/') + 1);
    }
}
