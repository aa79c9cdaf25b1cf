package io.infermesh.localinfra;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Renders the bucket notification MinIO's Kafka target publishes ({@code format=namespace} off, i.e. the "access"
 * event shape): top-level {@code EventName}, {@code Key} and {@code Records} with one S3 event record.
 */
final class MinioEventFormat {

    static final String PUT = "s3:ObjectCreated:Put";
    static final String POST = "s3:ObjectCreated:Post";
    static final String COPY = "s3:ObjectCreated:Copy";
    static final String COMPLETE_MULTIPART_UPLOAD = "s3:ObjectCreated:CompleteMultipartUpload";

    private static final DateTimeFormatter EVENT_TIME = DateTimeFormatter.ofPattern(
                    "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private MinioEventFormat() {}

    /** What is known about a created object when its notification is rendered. */
    record ObjectFacts(
            long size, String eTag, String contentType, Map<String, String> userMetadata, String versionId) {}

    /** Where the request came from and which server handled it. */
    record Origin(
            String principalId,
            String sourceHost,
            String userAgent,
            String requestId,
            String amzId2,
            String deploymentId,
            String originEndpoint) {}

    static String render(
            String eventName,
            String bucket,
            String key,
            ObjectFacts object,
            Origin origin,
            Instant eventTime,
            String sequencer) {
        ObjectNode root = JSON.createObjectNode();
        root.put("EventName", eventName);
        root.put("Key", bucket + "/" + key);
        ObjectNode record = root.putArray("Records").addObject();
        record.put("eventVersion", "2.0");
        record.put("eventSource", "minio:s3");
        record.put("awsRegion", "");
        record.put("eventTime", EVENT_TIME.format(eventTime));
        record.put("eventName", eventName);
        record.putObject("userIdentity").put("principalId", origin.principalId());
        ObjectNode requestParameters = record.putObject("requestParameters");
        requestParameters.put("principalId", origin.principalId());
        requestParameters.put("region", "");
        requestParameters.put("sourceIPAddress", origin.sourceHost());
        ObjectNode responseElements = record.putObject("responseElements");
        responseElements.put("x-amz-id-2", origin.amzId2());
        responseElements.put("x-amz-request-id", origin.requestId());
        responseElements.put("x-minio-deployment-id", origin.deploymentId());
        responseElements.put("x-minio-origin-endpoint", origin.originEndpoint());

        ObjectNode s3 = record.putObject("s3");
        s3.put("s3SchemaVersion", "1.0");
        s3.put("configurationId", "Config");
        ObjectNode bucketNode = s3.putObject("bucket");
        bucketNode.put("name", bucket);
        bucketNode.putObject("ownerIdentity").put("principalId", origin.principalId());
        bucketNode.put("arn", "arn:aws:s3:::" + bucket);
        ObjectNode objectNode = s3.putObject("object");
        objectNode.put("key", encodeKey(key));
        objectNode.put("size", object.size());
        objectNode.put("eTag", object.eTag());
        objectNode.put("contentType", object.contentType());
        ObjectNode userMetadata = objectNode.putObject("userMetadata");
        userMetadata.put("content-type", object.contentType());
        object.userMetadata().forEach(userMetadata::put);
        if (object.versionId() != null && !object.versionId().isEmpty() && !"null".equals(object.versionId())) {
            objectNode.put("versionId", object.versionId());
        }
        objectNode.put("sequencer", sequencer);

        ObjectNode source = record.putObject("source");
        source.put("host", origin.sourceHost());
        source.put("port", "");
        source.put("userAgent", origin.userAgent());
        return JSON.writeValueAsString(root);
    }

    /**
     * MinIO's user metadata keys are the canonical HTTP header names of the {@code x-amz-meta-*} headers
     * ({@code X-Amz-Meta-Model-Name}); S3Proxy hands them over without the prefix and lower-cased.
     */
    static Map<String, String> canonicalUserMetadata(Map<String, String> metadata) {
        Map<String, String> result = new TreeMap<>();
        if (metadata == null) {
            return result;
        }
        metadata.forEach((name, value) -> result.put(canonicalHeaderName("x-amz-meta-" + name), value));
        return result;
    }

    static String canonicalHeaderName(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        boolean upper = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            sb.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
            upper = c == '-';
        }
        return sb.toString();
    }

    /**
     * Encodes an object key the way S3 and MinIO do in event records (Go's {@code url.QueryEscape}): unreserved
     * characters {@code A-Z a-z 0-9 - _ . ~} stay, a space becomes {@code +}, every other byte of the UTF-8 form
     * becomes {@code %XX} (so {@code /} is {@code %2F} and {@code +} is {@code %2B}).
     */
    static String encodeKey(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            int c = b & 0xFF;
            if ((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '_'
                    || c == '.'
                    || c == '~') {
                sb.append((char) c);
            } else if (c == ' ') {
                sb.append('+');
            } else {
                sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return sb.toString();
    }

    /** MinIO's sequencer: the event time in Unix nanoseconds as upper-case hex, 16 digits. */
    static String sequencer(long unixNanos) {
        return String.format(Locale.ROOT, "%016X", unixNanos);
    }

    static String stripQuotes(String eTag) {
        if (eTag == null) {
            return "";
        }
        String e = eTag;
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e;
    }
}
