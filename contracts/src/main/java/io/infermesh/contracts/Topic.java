package io.infermesh.contracts;

import java.util.Map;

/**
 * A Kafka topic of the catalogue, with its key and value types and the CloudEvents type of its values.
 *
 * @param name the topic name, {@code infermesh.<area>.<stream>}
 * @param keyType the record key type
 * @param valueType the record value type (JSON on the wire)
 * @param cloudEventType the {@code ce_type} of its records, or null for external formats
 * @param description what flows on it, who writes, who reads
 * @param config the topic-level configuration it is created with ({@code cleanup.policy}, {@code retention.ms}, …);
 *     empty for the broker's defaults
 */
public record Topic<K, V>(
        String name,
        Class<K> keyType,
        Class<V> valueType,
        String cloudEventType,
        String description,
        Map<String, String> config) {

    public Topic {
        config = config == null ? Map.of() : Map.copyOf(config);
    }

    /** A topic with the broker's default configuration. */
    public Topic(String name, Class<K> keyType, Class<V> valueType, String cloudEventType, String description) {
        this(name, keyType, valueType, cloudEventType, description, Map.of());
    }

    /** The dead-letter topic of this topic: {@code <name>.dlq}. */
    public String dlq() {
        return name + Topics.DLQ_SUFFIX;
    }
}
