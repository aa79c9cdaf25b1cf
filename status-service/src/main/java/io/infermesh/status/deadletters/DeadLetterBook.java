package io.infermesh.status.deadletters;

import java.sql.Timestamp;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The {@code dead_letters} table: every dead letter recorded once, listed newest first. */
@Component
class DeadLetterBook {

    /** A page of dead letters; {@code nextCursor} is null on the last one. */
    record Page(List<DeadLetter> deadLetters, String nextCursor) {}

    private final JdbcClient jdbc;

    DeadLetterBook(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records a dead letter; the same record again (a redelivery) changes nothing. */
    void record(DeadLetter letter) {
        jdbc.sql("""
                INSERT INTO dead_letters (topic, kafka_partition, kafka_offset, dead_lettered_at, record_key, reason,
                    original_topic, value_preview, value_encoding, value_bytes)
                VALUES (:topic, :partition, :offset, :time, :key, :reason, :originalTopic, :preview, :encoding, :bytes)
                ON CONFLICT (topic, kafka_partition, kafka_offset) DO NOTHING
                """)
                .param("topic", letter.topic())
                .param("partition", letter.partition())
                .param("offset", letter.offset())
                .param("time", Timestamp.from(letter.time()))
                .param("key", letter.key())
                .param("reason", letter.reason())
                .param("originalTopic", letter.originalTopic())
                .param("preview", letter.valuePreview())
                .param("encoding", letter.valueEncoding())
                .param("bytes", letter.valueBytes())
                .update();
    }

    /**
     * Newest first, optionally of one topic.
     *
     * @param after the id of the last dead letter of the previous page, or null
     */
    Page list(String topic, Long after, int limit) {
        List<Row> rows = jdbc.sql("""
                SELECT * FROM dead_letters
                WHERE (CAST(:topic AS text) IS NULL OR topic = :topic) AND (CAST(:after AS bigint) IS NULL OR id < :after)
                ORDER BY id DESC LIMIT :limit
                """)
                .param("topic", topic)
                .param("after", after)
                .param("limit", limit + 1)
                .query((rs, n) -> new Row(
                        rs.getLong("id"),
                        new DeadLetter(
                                rs.getString("topic"),
                                rs.getInt("kafka_partition"),
                                rs.getLong("kafka_offset"),
                                rs.getTimestamp("dead_lettered_at").toInstant(),
                                rs.getString("record_key"),
                                rs.getString("reason"),
                                rs.getString("original_topic"),
                                rs.getString("value_preview"),
                                rs.getString("value_encoding"),
                                rs.getInt("value_bytes"))))
                .list();
        boolean more = rows.size() > limit;
        List<Row> page = more ? rows.subList(0, limit) : rows;
        return new Page(
                page.stream().map(Row::letter).toList(),
                more ? Long.toString(page.getLast().id()) : null);
    }

    private record Row(long id, DeadLetter letter) {}
}
