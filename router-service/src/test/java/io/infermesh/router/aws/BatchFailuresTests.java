package io.infermesh.router.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.FailureReason;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.batch.model.AttemptContainerDetail;
import software.amazon.awssdk.services.batch.model.AttemptDetail;
import software.amazon.awssdk.services.batch.model.ContainerDetail;
import software.amazon.awssdk.services.batch.model.JobDetail;

/**
 * Issue 17: what AWS Batch says of a failed job (its documented status reasons and container reasons) becomes a
 * sentence of what happened and what to do, naming the Batch job, its queue and where it helps its job definition,
 * exit code and log stream — never Batch's own words.
 */
class BatchFailuresTests {

    private static final String JOB = "AWS Batch job infermesh-j1-a1 (b-42) on queue 'infermesh-cpu'";

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(
                        "the attempt timeout",
                        detail("Job attempt duration exceeded timeout", 137, null, 120),
                        FailureReason.TIMEOUT,
                        "AWS Batch stopped job infermesh-j1-a1 (b-42) on queue 'infermesh-cpu'"
                                + " when it reached its attempt timeout of 120 s: raise resources.timeoutSeconds in"
                                + " the card of model 'digits' if the model needs longer"),
                Arguments.of(
                        "out of memory",
                        detail(
                                "Essential container in task exited",
                                137,
                                "OutOfMemoryError: Container killed due to memory usage",
                                null),
                        FailureReason.BACKEND_ERROR,
                        "the container of " + JOB + " ran out of memory and was killed (exit code 137): give job"
                                + " definition 'infermesh-worker:3' more memory"),
                Arguments.of(
                        "an image that cannot be pulled",
                        detail(
                                "Task failed to start",
                                null,
                                "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve"
                                        + " ref docker.io/infermesh/worker-batch:nope: not found",
                                null),
                        FailureReason.BACKEND_ERROR,
                        "AWS Batch could not start the container of job infermesh-j1-a1"
                                + " (b-42) on queue 'infermesh-cpu' (CannotPullContainerError): check the image of job"
                                + " definition 'infermesh-worker:3' and that the compute environment can pull and run"
                                + " it"),
                Arguments.of(
                        "a lost instance",
                        detail("Host EC2 (instance i-0123456789abcdef0) terminated.", null, null, null),
                        FailureReason.BACKEND_ERROR,
                        "the instance running " + JOB + " was terminated"
                                + " before the job finished (a Spot reclaim or a scale-in): retry the job"),
                Arguments.of(
                        "a worker that exited",
                        detail("Essential container in task exited", 1, null, null),
                        FailureReason.BACKEND_ERROR,
                        "the worker in " + JOB + " exited with code 1: its CloudWatch"
                                + " Logs stream 'infermesh-worker/default/b-42' says why"),
                Arguments.of(
                        "anything else",
                        detail("Dependent Job failed", null, null, null),
                        FailureReason.BACKEND_ERROR,
                        JOB + " failed without an exit code: the Batch console shows AWS"
                                + " Batch's reason for it, and so do the router's and ingest's logs"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void aFailedBatchJobIsSaidInASentence(String what, JobDetail detail, FailureReason reason, String sentence) {
        BatchFailures.Failure failure = BatchFailures.of(detail, "digits");

        assertThat(failure.reason()).isEqualTo(reason);
        assertThat(failure.message()).isEqualTo(sentence);
        assertThat(failure.message()).doesNotContain(detail.statusReason());
        if (detail.container() != null && detail.container().reason() != null) {
            assertThat(failure.message()).doesNotContain(detail.container().reason());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void theLastAttemptSpeaksWhenTheJobItselfDoesNot(
            String what, JobDetail detail, FailureReason reason, String sentence) {
        // Batch fills the job's own statusReason and container, or only its attempts', depending on the failure
        JobDetail onlyAttempts = detail.toBuilder()
                .statusReason(null)
                .container((ContainerDetail) null)
                .attempts(AttemptDetail.builder()
                        .statusReason(detail.statusReason())
                        .container(AttemptContainerDetail.builder()
                                .exitCode(detail.container().exitCode())
                                .reason(detail.container().reason())
                                .logStreamName(detail.container().logStreamName())
                                .build())
                        .build())
                .build();

        assertThat(BatchFailures.of(onlyAttempts, "digits")).isEqualTo(BatchFailures.of(detail, "digits"));
    }

    private static JobDetail detail(String statusReason, Integer exitCode, String containerReason, Integer timeout) {
        JobDetail.Builder detail = JobDetail.builder()
                .jobName("infermesh-j1-a1")
                .jobId("b-42")
                .status("FAILED")
                .jobQueue("arn:aws:batch:us-east-1:123456789012:job-queue/infermesh-cpu")
                .jobDefinition("arn:aws:batch:us-east-1:123456789012:job-definition/infermesh-worker:3")
                .statusReason(statusReason)
                .container(ContainerDetail.builder()
                        .exitCode(exitCode)
                        .reason(containerReason)
                        .logStreamName("infermesh-worker/default/b-42")
                        .build());
        if (timeout != null) {
            detail.timeout(t -> t.attemptDurationSeconds(timeout));
        }
        return detail.build();
    }
}
