package io.infermesh.worker.storage;

import io.infermesh.contracts.ObjectRef;
import io.infermesh.worker.WorkerProperties;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The worker's view of the object store: read an input, write a result. AWS SDK v2 underneath; what the SDK throws
 * leaves this class as one of two exceptions whose message is a sentence for the job's owner (the SDK's text stays in
 * the cause, for the log): {@link ObjectMissingException}, which ends the job at once, or
 * {@link StorageFailedException}, which is worth another try.
 */
public final class ObjectStorage implements AutoCloseable {

    /**
     * The input cannot be served, and asking again will not change that: the object, its bucket or the version named
     * does not exist, or the store keeps no versions; the job fails with {@code INPUT_NOT_FOUND}.
     */
    public static final class ObjectMissingException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ObjectMissingException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The store refused or failed a read or write that may succeed later; the message is a sentence. */
    public static final class StorageFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StorageFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final S3Client s3;

    public ObjectStorage(S3Client s3) {
        this.s3 = s3;
    }

    /** An S3 client as configured: an explicit endpoint and keys locally, the AWS default chain otherwise. */
    public static S3Client client(WorkerProperties.S3 config) {
        var builder = S3Client.builder().region(Region.of(config.region())).forcePathStyle(config.pathStyle());
        if (config.endpoint() != null && !config.endpoint().toString().isEmpty()) {
            builder.endpointOverride(config.endpoint());
        }
        if (config.accessKey() != null && !config.accessKey().isEmpty()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(config.accessKey(), config.secretKey())));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return builder.build();
    }

    /** An object's bytes (the version the reference names, else the current one). */
    public byte[] read(ObjectRef ref) {
        return fetch(ref).bytes();
    }

    /** An object's bytes and the version S3 served. */
    public record Fetched(byte[] bytes, String versionId, String eTag) {}

    /** Reads an object (the version the reference names, else the current one) and says which version it was. */
    public Fetched fetch(ObjectRef ref) {
        try {
            var response = s3.getObjectAsBytes(b -> {
                b.bucket(ref.bucket()).key(ref.key());
                if (ref.versionId() != null) {
                    b.versionId(ref.versionId());
                }
            });
            String eTag = response.response().eTag() == null
                    ? null
                    : response.response().eTag().replace("\"", "");
            return new Fetched(response.asByteArray(), response.response().versionId(), eTag);
        } catch (SdkException e) {
            throw readFailure(ref, e);
        }
    }

    /**
     * What a failed read of {@code ref} means for its job, in a sentence: final ({@link ObjectMissingException}) when
     * the object, bucket or version is not there or the store cannot serve versions, else worth another try.
     */
    static RuntimeException readFailure(ObjectRef ref, SdkException e) {
        String uri = "s3://" + ref.bucket() + "/" + ref.key();
        String version = ref.versionId();
        String code = code(e);
        int status = e instanceof S3Exception s3e ? s3e.statusCode() : 0;
        if (e instanceof NoSuchBucketException || "NoSuchBucket".equals(code)) {
            return new ObjectMissingException(
                    "the input " + uri + " cannot be read: its bucket '" + ref.bucket() + "' does not exist", e);
        }
        if (version != null && (status == 501 || "NotImplemented".equals(code))) {
            return new ObjectMissingException(
                    "the storage endpoint cannot serve version '" + version + "' of " + uri
                            + " (it does not keep versions); upload without a version id or enable versioning",
                    e);
        }
        if (version != null
                && ("NoSuchVersion".equals(code)
                        || status == 400
                        || status == 404 && !(e instanceof NoSuchKeyException))) {
            return new ObjectMissingException(
                    "version '" + version + "' of the input " + uri
                            + " does not exist: it was deleted or never written",
                    e);
        }
        if (e instanceof NoSuchKeyException || status == 404) {
            return new ObjectMissingException(
                    "the input " + uri + (version == null ? "" : " (version '" + version + "')")
                            + " does not exist: it was deleted or never uploaded",
                    e);
        }
        return failed("download the input " + uri, e, code, status);
    }

    /** What a failed write means for its job, in a sentence; always worth another try. */
    static RuntimeException writeFailure(String bucket, String key, SdkException e) {
        String uri = "s3://" + bucket + "/" + key;
        String code = code(e);
        if (e instanceof NoSuchBucketException || "NoSuchBucket".equals(code)) {
            return new StorageFailedException(
                    "the worker could not write the result to " + uri + ": the bucket '" + bucket + "' does not exist",
                    e);
        }
        return failed("write the result to " + uri, e, code, e instanceof S3Exception s3e ? s3e.statusCode() : 0);
    }

    private static StorageFailedException failed(String what, SdkException e, String code, int status) {
        if (status == 403) {
            return new StorageFailedException(
                    "the worker is not allowed to " + what + ": the object store refused it"
                            + (code == null ? "" : " (" + code + ")")
                            + "; the worker's storage credentials or the bucket's"
                            + " policy must grant it",
                    e);
        }
        if (status == 0) {
            return new StorageFailedException("the worker could not " + what + ": the object store did not answer", e);
        }
        return new StorageFailedException(
                "the worker could not " + what + ": the object store answered HTTP " + status
                        + (code == null ? "" : " (" + code + ")"),
                e);
    }

    /** The store's error code ({@code NoSuchKey}, {@code AccessDenied}), never its message. */
    private static String code(SdkException e) {
        if (e instanceof AwsServiceException service
                && service.awsErrorDetails() != null
                && service.awsErrorDetails().errorCode() != null
                && service.awsErrorDetails().errorCode().matches("[A-Za-z0-9.]{1,64}")) {
            return service.awsErrorDetails().errorCode();
        }
        return null;
    }

    public ObjectRef write(String bucket, String key, byte[] bytes, String contentType) {
        try {
            var response =
                    s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType), RequestBody.fromBytes(bytes));
            String eTag = response.eTag() == null ? null : response.eTag().replace("\"", "");
            return new ObjectRef(bucket, key, response.versionId(), eTag, (long) bytes.length, contentType);
        } catch (SdkException e) {
            throw writeFailure(bucket, key, e);
        }
    }

    /** Whether the bucket answers; for the health indicator. */
    public void ping(String bucket) {
        if (bucket == null || bucket.isEmpty()) {
            s3.listBuckets();
        } else {
            s3.headBucket(b -> b.bucket(bucket));
        }
    }

    @Override
    public void close() {
        s3.close();
    }
}
