package io.infermesh.worker.storage;

import io.infermesh.contracts.ObjectRef;
import io.infermesh.worker.WorkerProperties;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** The worker's view of the object store: read an input, write a result. AWS SDK v2 underneath. */
public final class ObjectStorage implements AutoCloseable {

    /** The input object does not exist (any more); the job fails with {@code INPUT_NOT_FOUND}. */
    public static final class ObjectMissingException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ObjectMissingException(String message) {
            super(message);
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
            builder.credentialsProvider(StaticCredentialsProvider
                    .create(AwsBasicCredentials.create(config.accessKey(), config.secretKey())));
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
    public record Fetched(byte[] bytes, String versionId, String eTag) {
    }

    /** Reads an object (the version the reference names, else the current one) and says which version it was. */
    public Fetched fetch(ObjectRef ref) {
        try {
            var response = s3.getObjectAsBytes(b -> {
                b.bucket(ref.bucket()).key(ref.key());
                if (ref.versionId() != null) {
                    b.versionId(ref.versionId());
                }
            });
            String eTag = response.response().eTag() == null ? null : response.response().eTag().replace("\"", "");
            return new Fetched(response.asByteArray(), response.response().versionId(), eTag);
        } catch (NoSuchKeyException | NoSuchBucketException e) {
            throw new ObjectMissingException("the input " + ref.uri() + " does not exist (any more)");
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404 || e.statusCode() == 400 && ref.versionId() != null) {
                throw new ObjectMissingException(ref.uri() + " (version " + ref.versionId() + ") does not exist");
            }
            throw e;
        }
    }

    public ObjectRef write(String bucket, String key, byte[] bytes, String contentType) {
        var response = s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType),
                RequestBody.fromBytes(bytes));
        String eTag = response.eTag() == null ? null : response.eTag().replace("\"", "");
        return new ObjectRef(bucket, key, response.versionId(), eTag, (long) bytes.length, contentType);
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
