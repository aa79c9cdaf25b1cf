package io.infermesh.ingest.notification;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the body of a queue message (SQS) whatever wrapped the bucket notification on its way, detected by shape:
 * <ul>
 * <li>an S3 event {@code {"Records":[...]}} (S3 to SQS directly, or S3 to SNS to SQS with raw delivery);</li>
 * <li>an SNS envelope {@code {"Type":"Notification","Message":"<S3 event as a JSON string>"}};</li>
 * <li>an EventBridge event {@code {"source":"aws.s3","detail-type":"Object Created","detail":{...}}}, whose keys
 * are plain text, never URL-decoded (unlike the keys of S3 records, which are decoded exactly once);</li>
 * <li>{@code s3:TestEvent}, acknowledged and counted;</li>
 * <li>an AWS Lambda asynchronous-invocation destination record {@code {"requestContext":{"functionArn",
 * "condition"},"requestPayload","responsePayload"}} (directly, inside an SNS envelope, or as the {@code detail} of a
 * {@code lambda} EventBridge event): a {@link BackendReport} ({@link LambdaDestinationRecords});</li>
 * <li>an AWS Batch {@code "Batch Job State Change"} EventBridge event (directly or inside an SNS envelope): a
 * {@link BackendReport} ({@link BatchJobStateChanges}).</li>
 * </ul>
 * Anything else is a {@link MalformedNotificationException} saying why. One queue may carry any mix.
 */
public final class QueueMessageReader {

    /** {@code detail-type} prefix of Lambda destination records delivered to EventBridge (Success / Failure). */
    static final String LAMBDA_DETAIL_TYPE = "Lambda Function Invocation Result";

    private final JsonMapper json;
    private final S3EventRecords s3Records;
    private final LambdaDestinationRecords lambdaRecords;
    private final BatchJobStateChanges batchEvents;

    public QueueMessageReader(JsonMapper json) {
        this.json = json;
        this.s3Records = new S3EventRecords(json);
        this.lambdaRecords = new LambdaDestinationRecords(json);
        this.batchEvents = new BatchJobStateChanges(json);
    }

    /** Reads one message body. */
    public QueueMessage read(String body) {
        return read(tree(body, "the message body"), true);
    }

    private QueueMessage read(JsonNode root, boolean outermost) {
        if (root == null || !root.isObject()) {
            throw MalformedNotificationException.notAnObject(outermost ? "the message" : "the SNS Message", root);
        }
        if (root.has("Records") || "s3:TestEvent".equals(root.path("Event").asString(""))) {
            return s3Records.parse(root);
        }
        if (outermost && root.has("Type") && root.has("TopicArn")) {
            return snsEnvelope(root);
        }
        if (LambdaDestinationRecords.isDestinationRecord(root)) {
            return lambdaRecords.read(root);
        }
        if (root.has("detail-type") && root.has("source")) {
            return eventBridge(root);
        }
        throw new MalformedNotificationException(
                MalformedNotificationException.Reason.UNRECOGNISED,
                "neither an S3 event (Records), an SNS notification (Type, TopicArn, Message), a Lambda destination record (requestContext.functionArn) nor an EventBridge "
                        + "event (source, detail-type, detail)");
    }

    private QueueMessage snsEnvelope(JsonNode root) {
        String type = root.path("Type").asString("");
        if (!"Notification".equals(type)) {
            throw new MalformedNotificationException("an SNS message of type '" + type + "', not a Notification");
        }
        JsonNode message = root.get("Message");
        if (message == null || !message.isString()) {
            throw new MalformedNotificationException("an SNS notification without a Message string");
        }
        return read(tree(message.asString(), "the SNS Message"), false);
    }

    private QueueMessage eventBridge(JsonNode root) {
        String source = root.path("source").asString("");
        String detailType = root.path("detail-type").asString("");
        if (BatchJobStateChanges.SOURCE.equals(source) && BatchJobStateChanges.DETAIL_TYPE.equals(detailType)) {
            return batchEvents.read(root);
        }
        if ("lambda".equals(source) && detailType.startsWith(LAMBDA_DETAIL_TYPE)) {
            JsonNode detail = root.path("detail");
            if (!LambdaDestinationRecords.isDestinationRecord(detail)) {
                throw new MalformedNotificationException("a '" + detailType + "' event whose detail is not a Lambda "
                        + "destination record (requestContext.functionArn)");
            }
            return lambdaRecords.read(detail);
        }
        if (!"aws.s3".equals(source)) {
            throw new MalformedNotificationException("an EventBridge event '" + detailType + "' from '" + source
                    + "', neither aws.s3 nor a Batch Job State Change (aws.batch) nor a Lambda invocation result");
        }
        if (!"Object Created".equals(detailType)) {
            return new BucketNotification(List.of(), List.of(detailType.isEmpty() ? "unnamed" : detailType));
        }
        JsonNode detail = root.path("detail");
        String bucket = detail.path("bucket").path("name").asString("");
        JsonNode object = detail.path("object");
        String key = object.path("key").asString("");
        if (bucket.isEmpty() || key.isEmpty()) {
            throw new MalformedNotificationException(
                    "an Object Created event without detail.bucket.name or " + "detail.object.key");
        }
        String reason = detail.path("reason").asString("");
        String eTag = text(object, "etag");
        List<ObjectCreated> created = new ArrayList<>();
        created.add(new ObjectCreated(
                "s3:ObjectCreated:" + (reason.isEmpty() ? "Put" : reason),
                bucket,
                key,
                object.path("size").asLong(0),
                unquote(eTag != null ? eTag : text(object, "eTag")),
                text(object, "version-id"),
                text(object, "sequencer"),
                null,
                time(root.get("time"))));
        return new BucketNotification(created, List.of());
    }

    /** An EventBridge {@code time}: ISO-8601 or epoch seconds; now when absent. */
    static Instant time(JsonNode time) {
        if (time == null || time.isNull()) {
            return Instant.now();
        }
        if (time.isNumber()) {
            return Instant.ofEpochMilli(Math.round(time.asDouble() * 1000));
        }
        return time.asString().isEmpty() ? Instant.now() : S3EventRecords.instant(time.asString(), "time");
    }

    private JsonNode tree(String text, String what) {
        try {
            return json.readTree(text);
        } catch (JacksonException e) {
            throw new MalformedNotificationException(
                    MalformedNotificationException.Reason.NOT_JSON,
                    what + " is not JSON: " + e.getOriginalMessage(),
                    e);
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
