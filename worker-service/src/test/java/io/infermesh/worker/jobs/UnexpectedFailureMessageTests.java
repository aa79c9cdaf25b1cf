package io.infermesh.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** The message of a job that failed unexpectedly names the step, never the error's text, class or stack. */
class UnexpectedFailureMessageTests {

    @Test
    void aRuntimeErrorInAStepIsNamedByTheStepAlone() {
        var error = new JobRunner.StepFailedException(
                "run model 'digits'",
                new IllegalStateException("java.lang.NullPointerException: Cannot invoke \"ai.onnxruntime.OrtSession"
                        + ".run()\" because \"session\" is null"));

        String message = JobRunner.unexpectedMessage(error);

        assertThat(message)
                .isEqualTo("the worker could not run model 'digits': an unexpected error (the worker's"
                        + " log has the details)");
        assertThat(message).doesNotContain("Exception", "java.", "onnxruntime", "null");
    }

    @Test
    void anErrorOutsideAnyStepGetsTheGenericSentence() {
        String message = JobRunner.unexpectedMessage(
                new TimeoutException("Topic infermesh.jobs.lifecycle not present in metadata after 60000 ms."));

        assertThat(message)
                .isEqualTo("the worker could not run the job: an unexpected error (the worker's log has"
                        + " the details)");
    }
}
