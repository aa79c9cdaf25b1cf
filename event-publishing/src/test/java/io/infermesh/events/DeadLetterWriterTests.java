package io.infermesh.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;

/** What a hand-made dead letter says, whoever writes it: where the message came from, why, and what it was. */
class DeadLetterWriterTests {

    private static final byte[] VALUE = "{not json".getBytes(StandardCharsets.UTF_8);

    @Test
    void aRecordsDeadLetterSaysWhereItLayInTheBindersEncodingAndWhyInASentence() {
        Recorder kafka = new Recorder();
        new DeadLetterWriter(kafka)
                .write(
                        "infermesh.jobs.lifecycle.dlq",
                        DeadLetter.ofRecord("infermesh.jobs.lifecycle", 2, 17, bytes("j-1"), VALUE),
                        new IllegalArgumentException("the record is not JSON"));

        assertThat(kafka.topics).containsExactly("infermesh.jobs.lifecycle.dlq");
        Message<?> dead = kafka.messages.getFirst();
        assertThat(dead.getPayload()).isEqualTo(VALUE);
        assertThat(dead.getHeaders().get(KafkaHeaders.KEY)).isEqualTo(bytes("j-1"));
        assertThat(dead.getHeaders().get(DeadLetters.EXCEPTION_MESSAGE)).isEqualTo("the record is not JSON");
        assertThat(dead.getHeaders().get(DeadLetters.EXCEPTION_FQCN))
                .isEqualTo(IllegalArgumentException.class.getName());
        assertThat(dead.getHeaders().get(DeadLetters.ORIGINAL_TOPIC)).isEqualTo("infermesh.jobs.lifecycle");
        assertThat(ByteBuffer.wrap((byte[]) dead.getHeaders().get(DeadLetters.ORIGINAL_PARTITION))
                        .getInt())
                .isEqualTo(2);
        assertThat(ByteBuffer.wrap((byte[]) dead.getHeaders().get(DeadLetters.ORIGINAL_OFFSET))
                        .getLong())
                .isEqualTo(17L);
        assertThat(dead.getHeaders().get(MessageHeaders.CONTENT_TYPE)).isEqualTo("application/octet-stream");
    }

    @Test
    void aMessageFromOutsideKafkaNamesItsSourceAndItsIdThere() {
        Recorder kafka = new Recorder();
        new DeadLetterWriter(kafka)
                .write(
                        "infermesh.storage.events.dlq",
                        DeadLetter.ofMessage("http://sqs/queue/q", "m-1", bytes("m-1"), VALUE),
                        new IllegalArgumentException("the message is not JSON"));

        MessageHeaders headers = kafka.messages.getFirst().getHeaders();
        assertThat(headers.get(DeadLetters.ORIGINAL_SOURCE)).isEqualTo("http://sqs/queue/q");
        assertThat(headers.get(DeadLetters.ORIGINAL_MESSAGE_ID)).isEqualTo("m-1");
        assertThat(headers).doesNotContainKeys(DeadLetters.ORIGINAL_TOPIC, DeadLetters.ORIGINAL_PARTITION);
        assertThat(headers.get(DeadLetters.EXCEPTION_MESSAGE)).isEqualTo("the message is not JSON");
    }

    @Test
    void theHeadersAMessageCarriedAreKeptButNotTheTransportsNorThoseOfAnEarlierDeadLetter() {
        Map<String, Object> carried = new LinkedHashMap<>();
        carried.put("ce_id", "j-1/1/RUNNABLE");
        carried.put("traceparent", bytes("00-abc-def-01"));
        carried.put("id", UUID.randomUUID());
        carried.put("timestamp", 1L);
        carried.put("contentType", "application/json");
        carried.put("kafka_receivedTopic", "infermesh.jobs.lifecycle");
        carried.put("spring_json_header_types", bytes("{}"));
        carried.put(DeadLetters.EXCEPTION_MESSAGE, "an older reason");
        carried.put(DeadLetters.ORIGINAL_TOPIC, "an older topic");

        DeadLetter letter = DeadLetter.ofRecord("infermesh.jobs.lifecycle", 0, 3, null, VALUE)
                .keeping(carried);

        assertThat(letter.headers())
                .containsOnlyKeys(
                        "ce_id",
                        "traceparent",
                        DeadLetters.ORIGINAL_TOPIC,
                        DeadLetters.ORIGINAL_PARTITION,
                        DeadLetters.ORIGINAL_OFFSET);
        assertThat(letter.headers().get(DeadLetters.ORIGINAL_TOPIC)).isEqualTo("infermesh.jobs.lifecycle");
        Message<byte[]> dead = DeadLetterWriter.message(letter, new IllegalStateException("the new reason"));
        assertThat(dead.getHeaders().get(DeadLetters.EXCEPTION_MESSAGE)).isEqualTo("the new reason");
        assertThat(dead.getHeaders().get("ce_id")).isEqualTo("j-1/1/RUNNABLE");
        assertThat(dead.getHeaders()).doesNotContainKey(KafkaHeaders.KEY);
    }

    @Test
    void anExceptionWithoutAMessageIsNamedByItsClassAndAMissingValueIsEmpty() {
        Message<byte[]> dead =
                DeadLetterWriter.message(DeadLetter.ofRecord("t", 0, 0, null, null), new NullPointerException());
        assertThat(dead.getHeaders().get(DeadLetters.EXCEPTION_MESSAGE))
                .isEqualTo(NullPointerException.class.getName());
        assertThat(dead.getPayload()).isEmpty();
    }

    @Test
    void aDeadLetterTheBinderRefusesIsAnErrorNamingWhereAndWhy() {
        Recorder kafka = new Recorder();
        kafka.accept = false;
        assertThatThrownBy(() -> new DeadLetterWriter(kafka)
                        .write(
                                "infermesh.jobs.lifecycle.dlq",
                                DeadLetter.ofRecord("infermesh.jobs.lifecycle", 0, 3, null, VALUE),
                                new IllegalArgumentException("the record is not JSON")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("could not dead-letter a message on infermesh.jobs.lifecycle.dlq: the record is not JSON");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
