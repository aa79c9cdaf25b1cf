package io.infermesh.worker.pool;

import io.infermesh.contracts.Topics;
import io.infermesh.events.DeadLetter;
import io.infermesh.events.DeadLetterWriter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.cloud.stream.function.StreamBridge;

/**
 * Dead letters of the dispatch topics, through event-publishing's one {@link DeadLetterWriter}: the record as it
 * came, with every header it carried (the CloudEvents attributes among them), on {@code <topic>.dlq}, with the
 * {@code x-exception-*} and {@code x-original-*} headers status-service reads (it may settle the job from the
 * message, so the message is a sentence).
 */
final class DispatchDeadLetters implements PoolWorker.DeadLetters {

    private final DeadLetterWriter writer;

    DispatchDeadLetters(StreamBridge bridge) {
        this.writer = new DeadLetterWriter(bridge);
    }

    @Override
    public void send(ConsumerRecord<String, byte[]> record, Throwable why) {
        writer.write(record.topic() + Topics.DLQ_SUFFIX, DeadLetter.of(record), why);
    }
}
