package io.infermesh.contracts;

/**
 * A Kafka topic of the catalogue, with its key and value types and the CloudEvents type of its values.
 *
 * @param name the topic name, {@code infermesh.<area>.<stream>}
 * @param keyType the record key type
 * @param valueType the record value type (JSON on the wire)
 * @param cloudEventType the {@code ce_type} of its records, or null for external formats
 * @param description what flows on it, who writes, who reads
 */
public record Topic<K, V>(String name, Class<K> keyType, Class<V> valueType, String cloudEventType,
        String description) {

    /** The dead-letter topic of this topic: {@code <name>.dlq}. */
    public String dlq() {
        return name + Topics.DLQ_SUFFIX;
    }
}
