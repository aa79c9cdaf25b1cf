package io.infermesh.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The reason of a failed AWS Batch job, and that its sentence never carries Batch's own words. The sentences, case by
 * case, are router-service's {@code BatchFailuresTests} (from {@code DescribeJobs}) and ingest-service's
 * {@code BatchJobStateChangesTests} (from the EventBridge event): both say the same through this record.
 */
class BatchJobFailureTests {

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(
            nullValues = "-",
            value = {
                "Job attempt duration exceeded timeout, TIMEOUT",
                "Task timed out, TIMEOUT",
                "Essential container in task exited, BACKEND_ERROR",
                "Host EC2 (instance i-0a1b) terminated., BACKEND_ERROR",
                "-, BACKEND_ERROR"
            })
    void failureReasonTable(String statusReason, FailureReason expected) {
        var failure = new BatchJobFailure("b-1", "infermesh-j-a1", "q", "d", statusReason, null, null, null, null);

        assertThat(failure.reason()).isEqualTo(expected);
        if (statusReason != null) {
            assertThat(failure.sentence("digits")).doesNotContain(statusReason);
            assertThat(failure.raw()).contains(statusReason);
        }
    }
}
