package io.infermesh.status.deadletters;

import io.infermesh.contracts.JobStatus;
import io.infermesh.events.DeadLetters;
import io.infermesh.events.JobEventSender;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import tools.jackson.databind.json.JsonMapper;

/**
 * Consumes the dead-letter topics of job requests and dispatches ({@code infermesh.jobs.requested.dlq},
 * {@code infermesh.jobs.dispatch.<model>.dlq}; records keyed by job id) and publishes the FAILED event that settles
 * each job, so that no job stays PENDING or RUNNABLE because one of its messages could not be processed.
 */
@Configuration(proxyBeanMethods = false)
class DeadLetterSettling {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterSettling.class);

    @Bean
    Consumer<Message<byte[]>> settleDeadLetter(
            JdbcClient jdbc, StreamBridge bridge, JsonMapper json, MeterRegistry meters) {
        var settled = meters.counter("infermesh.status.dead-letters.settled");
        JobEventSender sender = new JobEventSender(bridge, json, "status-service");
        return message -> {
            String jobId = text(message.getHeaders().get(KafkaHeaders.RECEIVED_KEY));
            String topic = text(message.getHeaders().get(KafkaHeaders.RECEIVED_TOPIC));
            String why = text(message.getHeaders().get(DeadLetters.EXCEPTION_MESSAGE));
            Optional<DeadLetterSettlement.Current> current = jobId == null
                    ? Optional.empty()
                    : jdbc.sql("SELECT attempt, status, model, owner FROM jobs WHERE job_id = :id")
                            .param("id", jobId)
                            .query((rs, n) -> new DeadLetterSettlement.Current(
                                    rs.getInt("attempt"),
                                    JobStatus.valueOf(rs.getString("status")),
                                    rs.getString("model"),
                                    rs.getString("owner")))
                            .optional();
            DeadLetterSettlement.settle(jobId, current, topic, why, Instant.now())
                    .ifPresent(failed -> {
                        sender.statusChanged(failed);
                        settled.increment();
                        log.warn("job {} FAILED: dead letter on {}", jobId, topic);
                    });
        };
    }

    private static String text(Object header) {
        if (header instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return header == null ? null : header.toString();
    }
}
