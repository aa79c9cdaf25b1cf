package io.infermesh.status.deadletters;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

/**
 * One dead letter as an operator sees it: where it lies, why it is there (the {@code x-exception-message} header) and
 * the start of what it held, as text when those bytes are UTF-8 text, otherwise base64. Plain data: no Kafka, no
 * database.
 *
 * @param originalTopic the topic it was read from, or for a message from outside Kafka its source (a queue URL)
 * @param valueEncoding {@code text} or {@code base64}
 * @param valueBytes the size of the whole value
 */
record DeadLetter(
        String topic,
        int partition,
        long offset,
        Instant time,
        String key,
        String reason,
        String originalTopic,
        String valuePreview,
        String valueEncoding,
        int valueBytes) {

    /** How much of a value is shown. */
    static final int PREVIEW_BYTES = 200;

    static DeadLetter of(
            String topic,
            int partition,
            long offset,
            Instant time,
            String key,
            String reason,
            String originalTopic,
            byte[] value) {
        byte[] bytes = value == null ? new byte[0] : value;
        int shown = Math.min(bytes.length, PREVIEW_BYTES);
        String text = text(bytes, shown);
        return text != null
                ? new DeadLetter(topic, partition, offset, time, key, reason, originalTopic, text, "text", bytes.length)
                : new DeadLetter(
                        topic,
                        partition,
                        offset,
                        time,
                        key,
                        reason,
                        originalTopic,
                        Base64.getEncoder().encodeToString(Arrays.copyOf(bytes, shown)),
                        "base64",
                        bytes.length);
    }

    /**
     * The first {@code length} bytes as text if they are UTF-8 without control characters (a last character cut by
     * the preview is dropped), otherwise null.
     */
    private static String text(byte[] bytes, int length) {
        // a preview cut inside a multi-byte character: drop up to three trailing bytes of it
        for (int end = length; end >= Math.max(0, length - 3); end--) {
            try {
                String decoded = StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, 0, end))
                        .toString();
                boolean printable = decoded.chars()
                        .noneMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t');
                return printable ? decoded : null;
            } catch (CharacterCodingException e) {
                if (end == length && length == bytes.length) {
                    return null;
                }
            }
        }
        return null;
    }
}
