package io.infermesh.ingest.notification;

import java.time.Instant;

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
 */
public record ObjectCreated(String eventName, String bucket, String key, long size, String eTag, String versionId,
        String sequencer, String contentType, Instant eventTime) {

    /** The object's version for identity: versionId, else eTag, else sequencer. */
    public String version() {
        if (versionId != null && !versionId.isEmpty() && !"null".equals(versionId)) {
            return versionId;
        }
        return eTag != null && !eTag.isEmpty() ? eTag : sequencer;
    }
}
