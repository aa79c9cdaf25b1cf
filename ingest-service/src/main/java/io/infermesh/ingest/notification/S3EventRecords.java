package io.infermesh.ingest.notification;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads S3-style event notifications: MinIO's {@code {"EventName","Key","Records":[...]}} and the plain
 * {@code {"Records":[...]}} of AWS S3. Record keys are URL-form-encoded (as S3 sends them) and decoded exactly once;
 * MinIO's top-level {@code Key} is already decoded and is not used.
 */
public final class S3EventRecords {

    private final JsonMapper json;

    public S3EventRecords(JsonMapper json) {
        this.json = json;
    }

    /**
     * Parses one notification message.
     *
     * @throws MalformedNotificationException when the message is not JSON or its records lack bucket or key
     */
    public BucketNotification parse(byte[] message) {
        JsonNode root;
        try {
            root = json.readTree(message);
        } catch (JacksonException e) {
            throw new MalformedNotificationException(
                    MalformedNotificationException.Reason.NOT_JSON, "not JSON: " + e.getOriginalMessage(), e);
        }
        return parse(root);
    }

    /**
     * Parses one notification that is already a JSON tree (e.g. unwrapped from an SNS or SQS envelope).
     *
     * @throws MalformedNotificationException when it is not an object or its records lack bucket or key
     */
    public BucketNotification parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw MalformedNotificationException.notAnObject("the message", root);
        }
        List<ObjectCreated> created = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        JsonNode records = root.get("Records");
        if (records == null || records.isNull()) {
            // s3:TestEvent (AWS) and record-less notifications are acknowledged and counted, not errors.
            String event = root.path("Event").asString(root.path("EventName").asString("no-records"));
            ignored.add(event.isEmpty() ? "no-records" : event);
            return new BucketNotification(created, ignored);
        }
        if (!records.isArray()) {
            throw new MalformedNotificationException("Records is not an array");
        }
        for (JsonNode record : records) {
            String eventName = record.path("eventName").asString("");
            if (!eventName.startsWith("s3:ObjectCreated:") && !eventName.startsWith("ObjectCreated:")) {
                ignored.add(eventName.isEmpty() ? "unnamed" : eventName);
                continue;
            }
            created.add(objectCreated(eventName, record));
        }
        return new BucketNotification(created, ignored);
    }

    private static ObjectCreated objectCreated(String eventName, JsonNode record) {
        JsonNode s3 = record.path("s3");
        String bucket = s3.path("bucket").path("name").asString("");
        String rawKey = s3.path("object").path("key").asString("");
        if (bucket.isEmpty() || rawKey.isEmpty()) {
            throw new MalformedNotificationException("record " + eventName + " has no s3.bucket.name or s3.object.key");
        }
        String key;
        try {
            key = URLDecoder.decode(rawKey, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new MalformedNotificationException("record key is not URL-encoded: " + rawKey, e);
        }
        JsonNode object = s3.path("object");
        return new ObjectCreated(
                eventName.startsWith("s3:") ? eventName : "s3:" + eventName,
                bucket,
                key,
                object.path("size").asLong(0),
                unquote(text(object, "eTag")),
                text(object, "versionId"),
                text(object, "sequencer"),
                text(object, "contentType"),
                eventTime(record),
                userMetadata(object));
    }

    /**
     * MinIO's {@code s3.object.userMetadata} (canonical header names, e.g. {@code X-Amz-Meta-Infermesh-Placement});
     * null when the record has none, as AWS S3's records never do.
     */
    private static Map<String, String> userMetadata(JsonNode object) {
        JsonNode metadata = object.get("userMetadata");
        if (metadata == null || metadata.isNull()) {
            return null;
        }
        if (!metadata.isObject()) {
            throw new MalformedNotificationException("s3.object.userMetadata is not an object");
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : metadata.properties()) {
            JsonNode value = entry.getValue();
            if (!value.isNull()) {
                result.put(entry.getKey(), value.isValueNode() ? value.asString() : value.toString());
            }
        }
        return result;
    }

    private static Instant eventTime(JsonNode record) {
        String time = record.path("eventTime").asString("");
        if (time.isEmpty()) {
            return Instant.now();
        }
        return instant(time, "eventTime");
    }

    /**
     * An ISO-8601 instant; a date-time without an offset (as some S3 emulators write it) is taken as UTC.
     *
     * @throws MalformedNotificationException when it is neither
     */
    public static Instant instant(String time, String field) {
        try {
            return Instant.parse(time);
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(time).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException again) {
                throw new MalformedNotificationException(field + " is not an ISO-8601 instant: " + time, e);
            }
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.asString().isEmpty() ? null : value.asString();
    }

    private static String unquote(String eTag) {
        return eTag == null ? null : eTag.replace("\"", "");
    }
}
