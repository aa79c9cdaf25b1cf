package io.infermesh.events;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A message that could not be processed, as {@link DeadLetterWriter} puts it on a dead-letter topic: its value and
 * key as they came, where it came from (the {@link DeadLetters} {@code x-original-*} headers, in the binder's own
 * encoding: partition a 4-byte int, offset and timestamp 8-byte longs, the rest UTF-8 text) and, if asked, the headers
 * it carried. Why it could not be processed is given when it is written.
 */
public final class DeadLetter {

    /** Where Spring's Kafka header mapper names the types of the other headers; it writes its own. */
    private static final String JSON_HEADER_TYPES = "spring_json_header_types";

    private final byte[] value;
    private final byte[] key;
    private final Map<String, Object> headers;

    private DeadLetter(byte[] value, byte[] key, Map<String, Object> headers) {
        this.value = value == null ? new byte[0] : value;
        this.key = key;
        this.headers = headers;
    }

    /**
     * A record read from Kafka, without its headers (see {@link #keeping}).
     *
     * @param key the record's key, or null
     */
    public static DeadLetter ofRecord(String topic, int partition, long offset, byte[] key, byte[] value) {
        Map<String, Object> origin = new LinkedHashMap<>();
        origin.put(DeadLetters.ORIGINAL_TOPIC, topic);
        origin.put(
                DeadLetters.ORIGINAL_PARTITION,
                ByteBuffer.allocate(Integer.BYTES).putInt(partition).array());
        origin.put(
                DeadLetters.ORIGINAL_OFFSET,
                ByteBuffer.allocate(Long.BYTES).putLong(offset).array());
        return new DeadLetter(value, key, origin);
    }

    /**
     * A record read from Kafka with a plain client, with every header it carried (as the binder's own dead letters
     * keep them) and its timestamp.
     */
    public static DeadLetter of(ConsumerRecord<?, byte[]> record) {
        byte[] key = switch (record.key()) {
            case null -> null;
            case byte[] bytes -> bytes;
            case Object other -> other.toString().getBytes(StandardCharsets.UTF_8);
        };
        DeadLetter letter = ofRecord(record.topic(), record.partition(), record.offset(), key, record.value());
        for (Header header : record.headers()) {
            if (carried(header.key())) {
                letter.headers.put(header.key(), header.value());
            }
        }
        if (record.timestamp() >= 0) {
            letter.headers.put(
                    DeadLetters.ORIGINAL_TIMESTAMP,
                    ByteBuffer.allocate(Long.BYTES).putLong(record.timestamp()).array());
        }
        return letter;
    }

    /**
     * A message that came from outside Kafka.
     *
     * @param source where it came from, e.g. an SQS queue URL
     * @param messageId its id there
     * @param key the dead letter's key (e.g. the message id), or null
     */
    public static DeadLetter ofMessage(String source, String messageId, byte[] key, byte[] value) {
        Map<String, Object> origin = new LinkedHashMap<>();
        origin.put(DeadLetters.ORIGINAL_SOURCE, source);
        origin.put(DeadLetters.ORIGINAL_MESSAGE_ID, messageId);
        return new DeadLetter(value, key, origin);
    }

    /**
     * The same dead letter with the headers the message carried (e.g. a Spring message's headers, the CloudEvents
     * attributes among them), without the transport's own ({@code id}, {@code timestamp}, {@code kafka_*},
     * {@code contentType}) and without any {@code x-exception-*} or {@code x-original-*} of an earlier dead letter,
     * which this one replaces. Names that are not strings are left out.
     */
    public DeadLetter keeping(Map<?, ?> carried) {
        Map<String, Object> kept = new LinkedHashMap<>();
        carried.forEach((name, v) -> {
            if (name instanceof String n && v != null && carried(n)) {
                kept.put(n, v);
            }
        });
        kept.putAll(headers);
        return new DeadLetter(value, key, kept);
    }

    /** The value as it came (empty when it had none). */
    public byte[] value() {
        return value;
    }

    /** The key as it came, or null. */
    public byte[] key() {
        return key;
    }

    /** Where it came from and what it carried, as headers of the dead letter. */
    public Map<String, Object> headers() {
        return Collections.unmodifiableMap(headers);
    }

    private static boolean carried(String name) {
        return !name.startsWith("kafka_")
                && !name.equals("id")
                && !name.equals("timestamp")
                && !name.equals("contentType")
                && !name.equals(JSON_HEADER_TYPES)
                && !name.startsWith("x-exception-")
                && !name.startsWith("x-original-");
    }
}
