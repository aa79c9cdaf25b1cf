package io.infermesh.worker.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.ObjectRef;
import java.net.ConnectException;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * What the SDK throws, as the job's owner reads it: each failure of a read or write is a sentence naming the object
 * and, at most, the store's error code and HTTP status; whether it ends the job at once or is tried again.
 */
class StorageFailureSentencesTests {

    static final ObjectRef CURRENT = ObjectRef.of("b", "inbox/digits/alice/k.png");
    static final ObjectRef VERSION = new ObjectRef("b", "inbox/digits/alice/k.png", "abc", null, null, null);

    /** As the SDK builds them from an answer: its message carries the service, status and request id. */
    static S3Exception answered(int status, String code, String text) {
        return (S3Exception) S3Exception.builder()
                .statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder()
                        .errorCode(code)
                        .errorMessage(text)
                        .serviceName("S3")
                        .build())
                .message(text + " (Service: S3, Status Code: " + status + ", Request ID: 4442587FB7D0A2F9)")
                .build();
    }

    record Case(
            String what,
            ObjectRef ref,
            SdkException thrown,
            Class<? extends RuntimeException> outcome,
            String sentence) {
        @Override
        public String toString() {
            return what;
        }
    }

    static Case[] reads() {
        return new Case[] {
            new Case(
                    "a version on a store without versions",
                    VERSION,
                    answered(501, "NotImplemented", "Versioning is not supported"),
                    ObjectStorage.ObjectMissingException.class,
                    "the storage endpoint cannot serve version 'abc' of s3://b/inbox/digits/alice/k.png (it does not"
                            + " keep versions); upload without a version id or enable versioning"),
            new Case(
                    "a version that does not exist",
                    VERSION,
                    answered(404, "NoSuchVersion", "The specified version does not exist."),
                    ObjectStorage.ObjectMissingException.class,
                    "version 'abc' of the input s3://b/inbox/digits/alice/k.png does not exist: it was deleted or"
                            + " never written"),
            new Case(
                    "a version id AWS does not take",
                    VERSION,
                    answered(400, "InvalidArgument", "Invalid version id specified"),
                    ObjectStorage.ObjectMissingException.class,
                    "version 'abc' of the input s3://b/inbox/digits/alice/k.png does not exist: it was deleted or"
                            + " never written"),
            new Case(
                    "an object that does not exist",
                    CURRENT,
                    NoSuchKeyException.builder()
                            .statusCode(404)
                            .awsErrorDetails(AwsErrorDetails.builder()
                                    .errorCode("NoSuchKey")
                                    .errorMessage("The specified key does not exist.")
                                    .build())
                            .message("The specified key does not exist. (Service: S3, Status Code: 404)")
                            .build(),
                    ObjectStorage.ObjectMissingException.class,
                    "the input s3://b/inbox/digits/alice/k.png does not exist: it was deleted or never uploaded"),
            new Case(
                    "a bucket that does not exist",
                    CURRENT,
                    NoSuchBucketException.builder()
                            .statusCode(404)
                            .awsErrorDetails(AwsErrorDetails.builder()
                                    .errorCode("NoSuchBucket")
                                    .build())
                            .message("(Service: S3, Status Code: 404)")
                            .build(),
                    ObjectStorage.ObjectMissingException.class,
                    "the input s3://b/inbox/digits/alice/k.png cannot be read: its bucket 'b' does not exist"),
            new Case(
                    "access denied",
                    CURRENT,
                    answered(403, "AccessDenied", "Access Denied"),
                    ObjectStorage.StorageFailedException.class,
                    "the worker is not allowed to download the input s3://b/inbox/digits/alice/k.png: the object"
                            + " store refused it (AccessDenied); the worker's storage credentials or the bucket's"
                            + " policy must grant it"),
            new Case(
                    "a store that is busy",
                    CURRENT,
                    answered(503, "SlowDown", "Please reduce your request rate."),
                    ObjectStorage.StorageFailedException.class,
                    "the worker could not download the input s3://b/inbox/digits/alice/k.png: the object store"
                            + " answered HTTP 503 (SlowDown)"),
            new Case(
                    "a store that does not answer",
                    CURRENT,
                    SdkClientException.create(
                            "Unable to execute HTTP request: Connect to localhost:9000 failed:" + " Connection refused",
                            new ConnectException("Connection refused")),
                    ObjectStorage.StorageFailedException.class,
                    "the worker could not download the input s3://b/inbox/digits/alice/k.png: the object store did"
                            + " not answer"),
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reads")
    void eachFailedReadIsASentenceThatEndsTheJobOrIsTriedAgain(Case c) {
        RuntimeException mapped = ObjectStorage.readFailure(c.ref(), c.thrown());

        assertThat(mapped).isInstanceOf(c.outcome()).hasMessage(c.sentence()).hasCause(c.thrown());
        assertNoSdkText(mapped.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writes")
    void eachFailedWriteIsASentenceThatIsTriedAgain(String what, SdkException thrown, String sentence) {
        RuntimeException mapped = ObjectStorage.writeFailure("r", "results/digits/alice/j/result.json", thrown);

        assertThat(mapped)
                .isInstanceOf(ObjectStorage.StorageFailedException.class)
                .hasMessage(sentence);
        assertNoSdkText(mapped.getMessage());
    }

    static Object[][] writes() {
        Function<String, String> to = tail ->
                "the worker could not write the result to" + " s3://r/results/digits/alice/j/result.json: " + tail;
        return new Object[][] {
            {
                "no bucket",
                NoSuchBucketException.builder()
                        .statusCode(404)
                        .awsErrorDetails(AwsErrorDetails.builder()
                                .errorCode("NoSuchBucket")
                                .build())
                        .message("(Service: S3, Status Code: 404)")
                        .build(),
                to.apply("the bucket 'r' does not exist")
            },
            {
                "a server error",
                answered(500, "InternalError", "We encountered an internal error."),
                to.apply("the object store answered HTTP 500 (InternalError)")
            },
        };
    }

    static void assertNoSdkText(String message) {
        assertThat(message)
                .doesNotContain(
                        "software.amazon",
                        "Exception",
                        "Status Code",
                        "Service:",
                        "Request ID",
                        "Versioning is not supported",
                        "Unable to execute",
                        "Connection refused");
    }
}
