package io.infermesh.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.ingest.sqs.SqsIntake;
import io.infermesh.ingest.webhook.MinioWebhookController;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The webhook and SQS intakes exist only when switched on (the SQS intake is off unless configured). */
class IntakeSwitchesTests {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withUserConfiguration(MinioWebhookController.class, SqsIntake.class);

    @Test
    void theSqsIntakeIsOffByDefaultAndTheWebhookOffWhenDisabled() {
        runner.withPropertyValues("infermesh.ingest.webhook.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(MinioWebhookController.class);
            assertThat(context).doesNotHaveBean(SqsIntake.class);
        });
    }
}
