package io.infermesh.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class IngestPropertiesTests {

    @Test
    void anEnabledWebhookNeedsAToken() {
        assertThatThrownBy(() -> new IngestProperties.Webhook(true, " "))
                .hasMessageContaining("infermesh.ingest.webhook.token");
        assertThat(new IngestProperties.Webhook(false, null).token()).isEmpty();
    }

    @Test
    void anEnabledSqsIntakeNeedsAQueueAndDefaultsToTheLongestLongPoll() {
        assertThatThrownBy(
                        () -> new IngestProperties.Sqs(true, List.of(" "), null, null, null, null, 0, 0, false, null))
                .hasMessageContaining("infermesh.ingest.sqs.queue-urls");
        var sqs = new IngestProperties.Sqs(false, null, null, null, null, null, 0, 0, false, null);
        assertThat(sqs.waitTimeSeconds()).isEqualTo(20);
        assertThat(sqs.maxMessages()).isEqualTo(10);
        assertThat(sqs.region()).isEqualTo("us-east-1");
    }

    @Test
    void resultsAreCheckedAgainstAnHourOfLifecycleAndATenSecondWaitByDefault() {
        var results = new IngestProperties.Results(0, null, null);
        assertThat(results.recentJobs()).isEqualTo(100_000);
        assertThat(results.lookback()).isEqualTo(Duration.ofHours(1));
        assertThat(results.lifecycleWait()).isEqualTo(Duration.ofSeconds(10));
        assertThatThrownBy(() -> new IngestProperties.Results(0, null, Duration.ZERO))
                .hasMessageContaining("infermesh.ingest.results.lifecycle-wait must be positive");
    }
}
