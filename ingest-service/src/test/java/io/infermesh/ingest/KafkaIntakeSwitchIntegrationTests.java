package io.infermesh.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;

/** With the Kafka intake switched off, ingest does not consume bucket notifications from Kafka at all. */
@SpringBootTest(
        classes = IngestServiceApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.config.name=ingest-service",
            "infermesh.ingest.webhook.token=kafka-switch-test-token",
            "spring.cloud.stream.bindings.ingestStorageEvent-in-0.consumer.auto-startup=false"
        })
class KafkaIntakeSwitchIntegrationTests extends IngestIntegrationTest {

    @Autowired
    BindingsLifecycleController bindings;

    @Test
    void theKafkaIntakeCanBeSwitchedOff() {
        var state = bindings.queryState("ingestStorageEvent-in-0");
        assertThat(state)
                .isNotEmpty()
                .allSatisfy(binding -> assertThat(binding.isRunning()).isFalse());
    }
}
