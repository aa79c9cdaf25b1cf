package io.infermesh.status;

import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.Topics;
import io.infermesh.identity.IdentityProvider;
import io.infermesh.localinfra.LocalInfra;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.WithLocalInfra;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.client.RestTestClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole service against real Kafka and PostgreSQL from local-infra and a real OIDC provider. Subclasses share one
 * application context; each test uses its own job ids, so tests do not see each other's jobs. {@link #rest} calls the
 * API as an operator (who sees every owner's jobs), {@link #as} as a user, {@link #anonymous} without a token, and
 * {@link #management} the actuator on its management port as an operator.
 */
@WithLocalInfra
@SpringBootTest(
        classes = StatusServiceApplication.class,
        properties = {"spring.config.name=status-service", "management.server.port=0"},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureRestTestClient
public abstract class StatusServiceIntegrationTest {

    protected static final String LIFECYCLE = Topics.JOBS_LIFECYCLE.name();
    protected static final String DLQ = Topics.JOBS_LIFECYCLE.dlq();

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Access tokens live 10 minutes; a test class may take longer. */
    private static final Duration TOKEN_REUSE = Duration.ofMinutes(4);

    private static KafkaProducer<String, byte[]> producer;
    private static IdentityProvider identity;
    private static final Map<String, Token> TOKENS = new ConcurrentHashMap<>();

    @Autowired
    private RestTestClient server;

    @LocalManagementPort
    private int managementPort;

    /** The API as the operator client (client credentials, role operator). */
    protected RestTestClient rest;

    /** The API without a token. */
    protected RestTestClient anonymous;

    /** The actuator on the management port, as the operator client. */
    protected RestTestClient management;

    private record Token(String value, Instant at) {}

    @BeforeEach
    void clients() {
        anonymous = server;
        rest = server.mutate()
                .defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token("operator"))
                .build();
        management = RestTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + managementPort)
                .defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token("operator"))
                .build();
    }

    /** The API as {@code user} (alice or bob), logged in through the provider's form with code and PKCE. */
    protected RestTestClient as(String user) {
        return server.mutate()
                .defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token(user))
                .build();
    }

    /** A current access token of {@code user}, or of the operator client for {@code "operator"}. */
    protected static String token(String user) {
        return TOKENS.compute(
                        user,
                        (name, held) ->
                                held != null && held.at().plus(TOKEN_REUSE).isAfter(Instant.now())
                                        ? held
                                        : new Token(
                                                name.equals("operator")
                                                        ? identity().operatorToken()
                                                        : identity().userToken(name),
                                                Instant.now()))
                .value();
    }

    protected static synchronized IdentityProvider identity() {
        if (identity == null) {
            identity = IdentityProvider.start(0);
        }
        return identity;
    }

    @DynamicPropertySource
    static void localInfra(DynamicPropertyRegistry registry) {
        LocalInfra infra = LocalInfraExtension.infra();
        infra.kafka().createTopics(3, LIFECYCLE);
        infra.kafka().createTopics(1, DLQ);
        registry.add(
                "spring.cloud.stream.kafka.binder.brokers", () -> infra.kafka().bootstrapServers());
        registry.add("spring.datasource.url", () -> infra.postgres().jdbcUrl());
        registry.add("spring.datasource.username", () -> infra.postgres().username());
        registry.add("spring.datasource.password", () -> infra.postgres().password());
        registry.add(
                "spring.security.oauth2.resourceserver.jwt.issuer-uri",
                () -> identity().issuer());
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
                    .forEach((name, value) ->
                            headers.add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8))));
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
        return Map.of(
                CloudEventTypes.HEADER_SPEC_VERSION,
                CloudEventTypes.SPEC_VERSION,
                CloudEventTypes.HEADER_ID,
                id,
                CloudEventTypes.HEADER_TYPE,
                CloudEventTypes.JOB_STATUS_CHANGED,
                CloudEventTypes.HEADER_SOURCE,
                CloudEventTypes.source("status-service-tests"),
                CloudEventTypes.HEADER_SUBJECT,
                subject,
                CloudEventTypes.HEADER_TIME,
                time.toString(),
                CloudEventTypes.HEADER_CONTENT_TYPE,
                "application/json");
    }

    private static synchronized void send(ProducerRecord<String, byte[]> record) {
        if (producer == null) {
            producer = new KafkaProducer<>(
                    Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            bootstrapServers(),
                            ProducerConfig.ACKS_CONFIG,
                            "all"),
                    new StringSerializer(),
                    new ByteArraySerializer());
        }
        try {
            producer.send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not publish to " + record.topic(), e.getCause());
        }
    }
}
