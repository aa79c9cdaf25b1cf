package io.infermesh.status;

import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.Topics;
import io.infermesh.localinfra.LocalInfra;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.WithLocalInfra;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.client.RestTestClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole service against real Kafka and PostgreSQL from local-infra. Subclasses share one application context;
 * each test uses its own job ids, so tests do not see each other's jobs.
 */
@WithLocalInfra
@SpringBootTest(classes = StatusServiceApplication.class, properties = "spring.config.name=status-service",
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureRestTestClient
public abstract class StatusServiceIntegrationTest {

    protected static final String LIFECYCLE = Topics.JOBS_LIFECYCLE.name();
    protected static final String DLQ = Topics.JOBS_LIFECYCLE.dlq();

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static KafkaProducer<String, byte[]> producer;

    @Autowired
    protected RestTestClient rest;

    @DynamicPropertySource
    static void localInfra(DynamicPropertyRegistry registry) {
        LocalInfra infra = LocalInfraExtension.infra();
        infra.kafka().createTopics(3, LIFECYCLE);
        infra.kafka().createTopics(1, DLQ);
        registry.add("spring.cloud.stream.kafka.binder.brokers", () -> infra.kafka().bootstrapServers());
        registry.add("spring.datasource.url", () -> infra.postgres().jdbcUrl());
        registry.add("spring.datasource.username", () -> infra.postgres().username());
        registry.add("spring.datasource.password", () -> infra.postgres().password());
    }

    @AfterAll
    static void closeProducer() {
        if (producer != null) {
            producer.close();
            producer = null;
        }
    }

    protected static String newJobId() {
        return "job-" + UUID.randomUUID();
    }

    protected static String bootstrapServers() {
        return LocalInfraExtension.infra().kafka().bootstrapServers();
    }

    /** Publishes events as every producer in the mesh does: JSON body, CloudEvents headers, keyed by job id. */
    protected static void publish(JobStatusChanged... events) {
        for (JobStatusChanged event : events) {
            List<Header> headers = new ArrayList<>();
            cloudEventHeaders(event.eventId(), event.jobId(), event.occurredAt())
                    .forEach((name, value) -> headers.add(
                            new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8))));
            send(new ProducerRecord<>(LIFECYCLE, null, event.jobId(), JSON.writeValueAsBytes(event), headers));
        }
    }

    /** Publishes an arbitrary value with CloudEvents headers, as a broken or confused producer might. */
    protected static void publishRaw(String key, byte[] value) {
        List<Header> headers = new ArrayList<>();
        cloudEventHeaders(UUID.randomUUID().toString(), key, Instant.now())
                .forEach((name, v) -> headers.add(new RecordHeader(name, v.getBytes(StandardCharsets.UTF_8))));
        send(new ProducerRecord<>(LIFECYCLE, null, key, value, headers));
    }

    private static Map<String, String> cloudEventHeaders(String id, String subject, Instant time) {
        return Map.of(CloudEventTypes.HEADER_SPEC_VERSION, CloudEventTypes.SPEC_VERSION,
                CloudEventTypes.HEADER_ID, id,
                CloudEventTypes.HEADER_TYPE, CloudEventTypes.JOB_STATUS_CHANGED,
                CloudEventTypes.HEADER_SOURCE, CloudEventTypes.source("status-service-tests"),
                CloudEventTypes.HEADER_SUBJECT, subject,
                CloudEventTypes.HEADER_TIME, time.toString(),
                CloudEventTypes.HEADER_CONTENT_TYPE, "application/json");
    }

    private static synchronized void send(ProducerRecord<String, byte[]> record) {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
        }
        try {
            producer.send(record).get();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        catch (ExecutionException e) {
            throw new IllegalStateException("could not publish to " + record.topic(), e.getCause());
        }
    }
}
