package io.infermesh.gateway.storage;

import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedGetObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

/**
 * The gateway's side of the object store: presigned URLs (named for the browser's address of S3), listings and
 * deletes of one bucket. It does not decide whose a key is; callers ask {@link OwnedKeys} first.
 */
public class Storage {

    /** The metadata header that carries an upload's placement choice (ADR 0017), without {@code x-amz-meta-}. */
    public static final String PLACEMENT_METADATA = "infermesh-placement";

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;

    Storage(S3Client s3, S3Presigner presigner, String bucket) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = bucket;
    }

    /**
     * A presigned URL and the headers the browser must send with it.
     *
     * @param url the URL
     * @param method the HTTP method it is signed for
     * @param headers the headers it is signed with (the browser sends exactly these; Content-Length it sets itself)
     * @param expiresAt when it stops working
     */
    public record Presigned(URL url, String method, Map<String, String> headers, Instant expiresAt) {}

    /**
     * An object in the bucket.
     *
     * @param key its key
     * @param size its size in bytes
     * @param lastModified when it was written
     */
    public record StoredObject(String key, long size, Instant lastModified) {}

    public String bucket() {
        return bucket;
    }

    /**
     * A PUT of exactly {@code size} bytes of {@code contentType} to {@code key}, with these {@code x-amz-meta-*}
     * headers: S3 refuses a body of another length, another type or other metadata.
     */
    public Presigned presignPut(String key, long size, String contentType, Map<String, String> metadata, Duration ttl) {
        PresignedPutObjectRequest presigned = presigner.presignPutObject(p -> p.signatureDuration(ttl)
                .putObjectRequest(o -> o.bucket(bucket)
                        .key(key)
                        .contentLength(size)
                        .contentType(contentType)
                        .metadata(metadata)));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", contentType);
        metadata.forEach((name, value) -> headers.put("x-amz-meta-" + name, value));
        List<String> signed = presigned.signedHeaders().keySet().stream()
                .map(h -> h.toLowerCase())
                .toList();
        for (String header : headers.keySet()) {
            if (!signed.contains(header.toLowerCase())) {
                throw new IllegalStateException("the presigned PUT does not sign " + header + "; signed: " + signed);
            }
        }
        return new Presigned(presigned.url(), "PUT", headers, presigned.expiration());
    }

    /** A GET of {@code key}; with a file name the browser saves it under that name instead of showing it. */
    public Presigned presignGet(String key, Duration ttl, String attachmentName) {
        PresignedGetObjectRequest presigned =
                presigner.presignGetObject(p -> p.signatureDuration(ttl).getObjectRequest(o -> {
                    o.bucket(bucket).key(key);
                    if (attachmentName != null) {
                        o.responseContentDisposition("attachment; filename=\"" + attachmentName + "\"");
                    }
                }));
        return new Presigned(presigned.url(), "GET", Map.of(), presigned.expiration());
    }

    /** The objects under {@code prefix}, at most {@code max}, in key order. */
    public List<StoredObject> list(String prefix, int max) {
        List<StoredObject> objects = new ArrayList<>();
        try {
            for (S3Object object : s3.listObjectsV2Paginator(
                            l -> l.bucket(bucket).prefix(prefix))
                    .contents()) {
                objects.add(new StoredObject(
                        object.key(), object.size() == null ? 0 : object.size(), object.lastModified()));
                if (objects.size() >= max) {
                    break;
                }
            }
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
        }
        return objects;
    }

    /** Whether {@code key} exists. */
    public boolean exists(String key) {
        try {
            s3.headObject(h -> h.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** Deletes {@code key} (nothing happens when it is absent). */
    public void delete(String key) {
        s3.deleteObject(d -> d.bucket(bucket).key(key));
    }
}
