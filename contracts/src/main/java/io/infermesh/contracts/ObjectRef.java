package io.infermesh.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A claim check: where an object lives, never its bytes.
 *
 * @param bucket the bucket name
 * @param key the object key, decoded (as a person would type it)
 * @param versionId the object version, when the store versions objects
 * @param eTag the entity tag without quotes
 * @param size the size in bytes, when known
 * @param contentType the media type, when known
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ObjectRef(String bucket, String key, String versionId, String eTag, Long size, String contentType) {

    /** A reference to a plain object whose version, tag, size and type are not known. */
    public static ObjectRef of(String bucket, String key) {
        return new ObjectRef(bucket, key, null, null, null, null);
    }

    /** {@code s3://bucket/key}, for people and logs. */
    public String uri() {
        return "s3://" + bucket + "/" + key;
    }
}
