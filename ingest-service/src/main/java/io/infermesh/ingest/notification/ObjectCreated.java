package io.infermesh.ingest.notification;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * One object-created record of a bucket notification, with its key decoded.
 *
 * @param eventName e.g. {@code s3:ObjectCreated:Put}
 * @param bucket the bucket
 * @param key the object key, decoded once from the record's URL-encoded form
 * @param size the size in bytes (0 when absent)
 * @param eTag the entity tag without quotes, or null
 * @param versionId the version id, or null when the bucket is not versioned
 * @param sequencer the store's ordering token, or null
 * @param contentType the media type, or null
 * @param eventTime when the object was stored
 * @param userMetadata the object's user metadata as the notification (MinIO's {@code s3.object.userMetadata}, keys
 *     {@code X-Amz-Meta-<Name>}) or a HeadObject (keys {@code <name>}) gave it; null when nothing said what it is
 *     (AWS S3's notification formats carry none), empty when the object has none
 */
public record ObjectCreated(
        String eventName,
        String bucket,
        String key,
        long size,
        String eTag,
        String versionId,
        String sequencer,
        String contentType,
        Instant eventTime,
        Map<String, String> userMetadata) {

    /** The user metadata that names the owner's placement choice (ADR 0017), without the {@code x-amz-meta-}. */
    public static final String PLACEMENT_METADATA = "infermesh-placement";

    private static final String META_PREFIX = "x-amz-meta-";

    public ObjectCreated {
        userMetadata = userMetadata == null ? null : Map.copyOf(userMetadata);
    }

    /** A record whose notification says nothing of the object's user metadata. */
    public ObjectCreated(
            String eventName,
            String bucket,
            String key,
            long size,
            String eTag,
            String versionId,
            String sequencer,
            String contentType,
            Instant eventTime) {
        this(eventName, bucket, key, size, eTag, versionId, sequencer, contentType, eventTime, null);
    }

    /** The object's version for identity: versionId, else eTag, else sequencer. */
    public String version() {
        if (versionId != null && !versionId.isEmpty() && !"null".equals(versionId)) {
            return versionId;
        }
        return eTag != null && !eTag.isEmpty() ? eTag : sequencer;
    }

    /** The same record with the user metadata a HeadObject returned. */
    public ObjectCreated withUserMetadata(Map<String, String> metadata) {
        return new ObjectCreated(
                eventName, bucket, key, size, eTag, versionId, sequencer, contentType, eventTime, metadata);
    }

    /**
     * The value of {@code x-amz-meta-infermesh-placement}, the name matched without regard to case and with or
     * without its {@code x-amz-meta-} prefix (MinIO's notifications have {@code X-Amz-Meta-Infermesh-Placement},
     * HeadObject {@code infermesh-placement}); null when the object has none.
     */
    public String placement() {
        if (userMetadata == null) {
            return null;
        }
        for (Map.Entry<String, String> entry : userMetadata.entrySet()) {
            String name = entry.getKey() == null ? "" : entry.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith(META_PREFIX)) {
                name = name.substring(META_PREFIX.length());
            }
            if (name.equals(PLACEMENT_METADATA)) {
                return entry.getValue();
            }
        }
        return null;
    }
}
