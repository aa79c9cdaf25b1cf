package io.infermesh.ingest;

import io.infermesh.contracts.Topics;
import io.infermesh.localinfra.LocalInfra;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.WithLocalInfra;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * ingest-service against the shared local Kafka (and S3): the topics it reads and writes exist before it starts.
 * Subclasses declare their own {@code @SpringBootTest} (each intake path switches different things on).
 */
@WithLocalInfra
public abstract class IngestIntegrationTest {

    protected static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    protected MeterRegistry meters;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        LocalInfra infra = LocalInfraExtension.infra();
        infra.kafka().createTopics(3, Topics.STORAGE_EVENTS.name(), Topics.JOBS_REQUESTED.name(),
                Topics.JOBS_LIFECYCLE.name(), Topics.JOBS_RESULTS.name(), Topics.STORAGE_EVENTS.dlq());
        registry.add("spring.cloud.stream.kafka.binder.brokers", () -> infra.kafka().bootstrapServers());
    }

    protected static String kafkaBootstrap() {
        return LocalInfraExtension.infra().kafka().bootstrapServers();
    }
}
