package io.infermesh.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.Topics;
import io.infermesh.localinfra.LocalInfra;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.WithLocalInfra;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With the Kafka intake switched off, ingest does not consume bucket notifications from Kafka at all. */
@WithLocalInfra
@SpringBootTest(classes = IngestServiceApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=ingest-service",
            "spring.cloud.stream.bindings.ingestStorageEvent-in-0.consumer.auto-startup=false"})
class KafkaIntakeSwitchIntegrationTests {

    @Autowired
    BindingsLifecycleController bindings;

    @DynamicPropertySource
    static void localInfra(DynamicPropertyRegistry registry) {
        LocalInfra infra = LocalInfraExtension.infra();
        infra.kafka().createTopics(3, Topics.STORAGE_EVENTS.name());
        registry.add("spring.cloud.stream.kafka.binder.brokers", () -> infra.kafka().bootstrapServers());
    }

    @Test
    void theKafkaIntakeCanBeSwitchedOff() {
        var state = bindings.queryState("ingestStorageEvent-in-0");
        assertThat(state).isNotEmpty().allSatisfy(binding -> assertThat(binding.isRunning()).isFalse());
    }
}
