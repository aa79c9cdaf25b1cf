package io.infermesh.worker.pool;

import io.infermesh.contracts.Topics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.support.MessageBuilder;

/**
 * Dead letters of the dispatch topics: the record as it came, on {@code <topic>.dlq}, with the {@code x-exception-*}
 * and {@code x-original-*} headers status-service reads (it may settle the job from the message, so the message is
 * a sentence) and the record's CloudEvents headers. Kept apart from the pools so that the one dead-letter writer of
 * event-publishing (issue 16) can take its place.
 */
final class DispatchDeadLetters implements PoolWorker.DeadLetters {

    private final StreamBridge bridge;

    DispatchDeadLetters(StreamBridge bridge) {
        this.bridge = bridge;
    }

    @Override
    public void send(ConsumerRecord<String, byte[]> record, Throwable why) {
        MessageBuilder<byte[]> message = MessageBuilder.withPayload(record.value() == null ? new byte[0]
                        : record.value())
                .setHeader("x-exception-message", String.valueOf(why.getMessage()))
                .setHeader("x-exception-fqcn", why.getClass().getName())
                .setHeader("x-original-topic", record.topic())
                .setHeader("x-original-partition", record.partition())
                .setHeader("x-original-offset", record.offset());
        if (record.key() != null) {
            message.setHeader(KafkaHeaders.KEY, record.key().getBytes(StandardCharsets.UTF_8));
        }
        for (Header h : record.headers()) {
            if (h.key().startsWith("ce_")) {
                message.setHeader(h.key(), new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        if (!bridge.send(record.topic() + Topics.DLQ_SUFFIX, message.build())) {
            throw new IllegalStateException("could not dead-letter " + record.topic() + "-" + record.partition()
                    + "@" + record.offset());
        }
    }
}
