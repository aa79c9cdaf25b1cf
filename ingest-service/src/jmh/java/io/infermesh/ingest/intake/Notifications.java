package io.infermesh.ingest.intake;

import io.infermesh.ingest.jobs.Inbox;
import io.infermesh.ingest.notification.BucketNotification;
import io.infermesh.ingest.notification.ObjectCreated;
import io.infermesh.ingest.notification.QueueMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Bucket notifications as they arrive at the intakes, for {@link NotificationParsingBenchmarks}: MinIO's Kafka target (one
 * record, ten records), an AWS S3 event delivered to SQS, and the same event wrapped by SNS. Keys are the kind people
 * upload (spaces, accents, other scripts, punctuation), URL-encoded as each store encodes them. Deterministic: the same
 * bytes on every run.
 */
final class Notifications {

    /** The service's default inboxes and key limit: the {@code inbox/} prefix of every bucket, 1,024 bytes. */
    static final Inbox INBOX = new Inbox(List.of("*/inbox/"), 1024);

    /** The local mesh's bucket. */
    static final String MINIO_BUCKET = "infermesh";

    /** A bucket on AWS. */
    static final String AWS_BUCKET = "infermesh-uploads-eu-west-1";

    /** Ten decoded keys of valid jobs: model {@code digits}, an owner, then a file name as people name them. */
    static final List<String> KEYS = List.of(
            "inbox/digits/alice/chiffre été n°3 (scan).png",
            "inbox/digits/bob.martin@example.org/Photo 2026-11-22 à 19.23.51.png",
            "inbox/digits/li_wei/手写数字 7.png",
            "inbox/digits/zoe-k/Ölçüm #4 + ünlü.png",
            "inbox/digits/alice/sub folder/digit 3.png",
            "inbox/digits/jose.garcia/señal_año_ñ 5.png",
            "inbox/digits/anna/Übung 100% fertig.png",
            "inbox/digits/marc/café crème & co.png",
            "inbox/digits/sven/Ångström=1e-10.png",
            "inbox/digits/priya/अंक 9.png");

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant EVENT_TIME = Instant.parse("2026-11-22T19:23:51.123Z");
    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ISO_INSTANT;

    private Notifications() {
    }

    /**
     * What MinIO's Kafka target publishes on {@code infermesh.storage.events}: top-level {@code EventName} and
     * {@code Key}, and {@code records} S3 event records with the keys of {@link #KEYS} (in order, repeated if needed).
     */
    static byte[] minioKafka(int records) {
        Random random = new Random(records);
        ObjectNode root = JSON.createObjectNode();
        root.put("EventName", "s3:ObjectCreated:Put");
        root.put("Key", MINIO_BUCKET + "/" + KEYS.getFirst());
        ArrayNode array = root.putArray("Records");
        for (int i = 0; i < records; i++) {
            String key = KEYS.get(i % KEYS.size());
            String sequencer = HexFormat.of().withUpperCase().formatHex(bytes(random, 8));
            ObjectNode record = array.addObject();
            record.put("eventVersion", "2.0");
            record.put("eventSource", "minio:s3");
            record.put("awsRegion", "");
            record.put("eventTime", MILLIS.format(EVENT_TIME.plusMillis(7L * i)));
            record.put("eventName", "s3:ObjectCreated:Put");
            record.putObject("userIdentity").put("principalId", "infermesh");
            ObjectNode request = record.putObject("requestParameters");
            request.put("principalId", "infermesh");
            request.put("region", "");
            request.put("sourceIPAddress", "127.0.0.1");
            ObjectNode response = record.putObject("responseElements");
            response.put("x-amz-id-2", hex(random, 32));
            response.put("x-amz-request-id", sequencer);
            response.put("x-minio-deployment-id", new UUID(random.nextLong(), random.nextLong()).toString());
            response.put("x-minio-origin-endpoint", "http://127.0.0.1:9000");
            ObjectNode s3 = record.putObject("s3");
            s3.put("s3SchemaVersion", "1.0");
            s3.put("configurationId", "Config");
            ObjectNode bucket = s3.putObject("bucket");
            bucket.put("name", MINIO_BUCKET);
            bucket.putObject("ownerIdentity").put("principalId", "infermesh");
            bucket.put("arn", "arn:aws:s3:::" + MINIO_BUCKET);
            ObjectNode object = s3.putObject("object");
            object.put("key", queryEscape(key, false));
            object.put("size", 1_000 + random.nextInt(400_000));
            object.put("eTag", hex(random, 16));
            object.put("contentType", "image/png");
            ObjectNode metadata = object.putObject("userMetadata");
            metadata.put("content-type", "image/png");
            metadata.put("X-Amz-Meta-Source", "phone camera");
            object.put("sequencer", sequencer);
            ObjectNode source = record.putObject("source");
            source.put("host", "127.0.0.1");
            source.put("port", "");
            source.put("userAgent", "MinIO (linux; amd64) minio-go/v7.0.90 mc/RELEASE.2025-04-16T18-13-26Z");
        }
        return JSON.writeValueAsBytes(root);
    }

    /** An S3 event as AWS S3 delivers it to an SQS queue: one record, versioned bucket, the first of {@link #KEYS}. */
    static String sqsS3Event() {
        Random random = new Random(42);
        ObjectNode root = JSON.createObjectNode();
        ObjectNode record = root.putArray("Records").addObject();
        record.put("eventVersion", "2.1");
        record.put("eventSource", "aws:s3");
        record.put("awsRegion", "eu-west-1");
        record.put("eventTime", MILLIS.format(EVENT_TIME));
        record.put("eventName", "ObjectCreated:Put");
        record.putObject("userIdentity").put("principalId", "AWS:AIDAJDPLRKLG7UEXAMPLE");
        record.putObject("requestParameters").put("sourceIPAddress", "198.51.100.23");
        ObjectNode response = record.putObject("responseElements");
        response.put("x-amz-request-id", HexFormat.of().withUpperCase().formatHex(bytes(random, 8)));
        response.put("x-amz-id-2", Base64.getEncoder().encodeToString(bytes(random, 48)));
        ObjectNode s3 = record.putObject("s3");
        s3.put("s3SchemaVersion", "1.0");
        s3.put("configurationId", "infermesh-inbox-uploads");
        ObjectNode bucket = s3.putObject("bucket");
        bucket.put("name", AWS_BUCKET);
        bucket.putObject("ownerIdentity").put("principalId", "A3NL1KOZZKEXAMPLE");
        bucket.put("arn", "arn:aws:s3:::" + AWS_BUCKET);
        ObjectNode object = s3.putObject("object");
        object.put("key", queryEscape(KEYS.getFirst(), true));
        object.put("size", 48_213);
        object.put("eTag", hex(random, 16));
        object.put("versionId", "096fKKXTRTtl3on89fVO.nfljtsv6qko");
        object.put("sequencer", "0065F1C2D3A4B5C6D7");
        return JSON.writeValueAsString(root);
    }

    /** {@link #sqsS3Event()} as SNS delivers it to an SQS queue without raw delivery: a JSON string in an envelope. */
    static String snsWrappedS3Event() {
        Random random = new Random(7);
        String topic = "arn:aws:sns:eu-west-1:123456789012:infermesh-uploads";
        ObjectNode root = JSON.createObjectNode();
        root.put("Type", "Notification");
        root.put("MessageId", new UUID(random.nextLong(), random.nextLong()).toString());
        root.put("TopicArn", topic);
        root.put("Subject", "Amazon S3 Notification");
        root.put("Message", sqsS3Event());
        root.put("Timestamp", MILLIS.format(EVENT_TIME.plusMillis(61)));
        root.put("SignatureVersion", "1");
        root.put("Signature", Base64.getEncoder().encodeToString(bytes(random, 256)));
        root.put("SigningCertURL", "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-"
                + hex(random, 16) + ".pem");
        root.put("UnsubscribeURL", "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
                + topic + ":" + new UUID(random.nextLong(), random.nextLong()));
        return JSON.writeValueAsString(root);
    }

    /**
     * What {@link NotificationHandler} makes of a parsed message before it publishes anything: every
     * object-created record classified against the inboxes, the ids of the jobs it creates (rejected ones included).
     * The handler's Kafka sends, counters and log lines are left out.
     */
    static List<String> jobIds(QueueMessage message, Inbox inbox) {
        if (!(message instanceof BucketNotification notification)) {
            throw new IllegalArgumentException("not a bucket notification: " + message);
        }
        List<String> ids = new ArrayList<>(notification.created().size());
        for (ObjectCreated object : notification.created()) {
            switch (inbox.classify(object)) {
                case Inbox.NewJob job -> ids.add(job.jobId());
                case Inbox.RejectedJob job -> ids.add(job.jobId());
                case Inbox.Ignored ignored -> {
                }
            }
        }
        return ids;
    }

    /**
     * A key as S3 and MinIO encode it in event records (Go's {@code url.QueryEscape}): unreserved characters stay, a
     * space becomes {@code +}, every other UTF-8 byte {@code %XX}. AWS leaves {@code /} as it is; MinIO encodes it.
     */
    static String queryEscape(String key, boolean keepSlash) {
        StringBuilder sb = new StringBuilder(key.length() * 2);
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~' || (keepSlash && c == '/')) {
                sb.append((char) c);
            } else if (c == ' ') {
                sb.append('+');
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return sb.toString();
    }

    private static String hex(Random random, int bytes) {
        return HexFormat.of().formatHex(bytes(random, bytes));
    }

    private static byte[] bytes(Random random, int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }
}
