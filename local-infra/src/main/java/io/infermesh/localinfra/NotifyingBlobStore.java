package io.infermesh.localinfra;

import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * A blob store that reports every object it successfully created: a put, a completed multipart upload or a copy.
 * The report happens after the delegate returned, on the request's thread, so a write that failed reports nothing
 * and the S3 response is sent only once the listener returned. S3Proxy's own bookkeeping objects (the multipart
 * stubs, keys starting {@value #MPU_STUB_PREFIX}) are not reported.
 */
final class NotifyingBlobStore extends ForwardingBlobStore {

    private static final Logger log = LoggerFactory.getLogger(NotifyingBlobStore.class);

    static final String MPU_STUB_PREFIX = ".s3proxy-mpu-stub-";
    private static final String S3PROXY_INTERNAL_METADATA_PREFIX = "s3proxy_";
    private static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

    /** Receives one call per created object. Throwing fails the S3 request (the object stays written). */
    @FunctionalInterface
    interface ObjectCreatedListener {
        void objectCreated(String eventName, String bucket, String key, MinioEventFormat.ObjectFacts facts);
    }

    private final ObjectCreatedListener listener;

    NotifyingBlobStore(BlobStore delegate, ObjectCreatedListener listener) {
        super(delegate);
        this.listener = listener;
    }

    static boolean isBookkeeping(String key) {
        return key != null && key.startsWith(MPU_STUB_PREFIX);
    }

    @Override
    public PutObjectResponse putBlob(PutObjectRequest request, InputStream input) {
        PutObjectResponse response = super.putBlob(request, input);
        if (!isBookkeeping(request.key())) {
            S3RequestContext ctx = S3RequestContext.current();
            String event =
                    ctx != null && "POST".equalsIgnoreCase(ctx.method) ? MinioEventFormat.POST : MinioEventFormat.PUT;
            notifyCreated(
                    event,
                    request.bucket(),
                    request.key(),
                    response.eTag(),
                    response.versionId(),
                    request.contentLength(),
                    request.contentType(),
                    request.metadata());
        }
        return response;
    }

    @Override
    public CompleteMultipartUploadResponse completeMultipartUpload(
            MultipartUpload mpu, CompleteMultipartUploadRequest request) {
        CompleteMultipartUploadResponse response = super.completeMultipartUpload(mpu, request);
        String bucket = request.bucket() != null ? request.bucket() : mpu.containerName();
        String key = request.key() != null ? request.key() : mpu.blobName();
        if (!isBookkeeping(key)) {
            notifyCreated(
                    MinioEventFormat.COMPLETE_MULTIPART_UPLOAD,
                    bucket,
                    key,
                    response.eTag(),
                    response.versionId(),
                    null,
                    mpu.request() == null ? null : mpu.request().contentType(),
                    mpu.request() == null ? null : mpu.request().metadata());
        }
        return response;
    }

    @Override
    public CopyObjectResponse copyBlob(CopyObjectRequest request) {
        CopyObjectResponse response = super.copyBlob(request);
        if (!isBookkeeping(request.destinationKey())) {
            String eTag = response.copyObjectResult() == null
                    ? null
                    : response.copyObjectResult().eTag();
            notifyCreated(
                    MinioEventFormat.COPY,
                    request.destinationBucket(),
                    request.destinationKey(),
                    eTag,
                    response.versionId(),
                    null,
                    request.contentType(),
                    request.metadata());
        }
        return response;
    }

    private void notifyCreated(
            String event,
            String bucket,
            String key,
            String eTag,
            String versionId,
            Long requestLength,
            String requestContentType,
            Map<String, String> requestMetadata) {
        MinioEventFormat.ObjectFacts facts =
                stored(bucket, key, eTag, versionId, requestLength, requestContentType, requestMetadata);
        listener.objectCreated(event, bucket, key, facts);
    }

    /** The stored object's size, ETag, type and metadata, read back; the request's values if it cannot be read. */
    private MinioEventFormat.ObjectFacts stored(
            String bucket,
            String key,
            String eTag,
            String versionId,
            Long requestLength,
            String requestContentType,
            Map<String, String> requestMetadata) {
        HeadObjectResponse head = null;
        try {
            HeadObjectRequest.Builder headRequest =
                    HeadObjectRequest.builder().bucket(bucket).key(key);
            if (versionId != null && !versionId.isEmpty() && !"null".equals(versionId)) {
                headRequest.versionId(versionId);
            }
            head = delegate().blobMetadata(headRequest.build());
        } catch (RuntimeException e) {
            log.debug("Cannot read back {}/{} for its notification: {}", bucket, key, e.toString());
        }
        long size = head != null && head.contentLength() != null
                ? head.contentLength()
                : requestLength != null ? requestLength : 0L;
        String tag = MinioEventFormat.stripQuotes(eTag != null ? eTag : head != null ? head.eTag() : null);
        String contentType = head != null && head.contentType() != null ? head.contentType() : requestContentType;
        if (contentType == null || contentType.isEmpty()) {
            contentType = DEFAULT_CONTENT_TYPE;
        }
        Map<String, String> metadata = head != null && head.hasMetadata() ? head.metadata() : requestMetadata;
        return new MinioEventFormat.ObjectFacts(
                size, tag, contentType, MinioEventFormat.canonicalUserMetadata(userVisible(metadata)), versionId);
    }

    private static Map<String, String> userVisible(Map<String, String> metadata) {
        Map<String, String> visible = new TreeMap<>();
        if (metadata != null) {
            metadata.forEach((name, value) -> {
                if (!name.toLowerCase(Locale.ROOT).startsWith(S3PROXY_INTERNAL_METADATA_PREFIX)) {
                    visible.put(name, value);
                }
            });
        }
        return visible;
    }
}
