package io.infermesh.ingest.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class S3EventRecordsTests {

    private final S3EventRecords parser =
            new S3EventRecords(JsonMapper.builder().build());

    private static byte[] minio(String encodedKey, String eventName) {
        return ("""
                {"EventName":"%s","Key":"infermesh/decoded","Records":[{"eventVersion":"2.0","eventSource":"minio:s3",
                 "eventTime":"2026-11-22T10:00:00.000Z","eventName":"%s","s3":{"bucket":{"name":"infermesh"},
                 "object":{"key":"%s","size":42,"eTag":"\\"abc\\"","contentType":"image/png","sequencer":"0001"}}}]}
                """).formatted(eventName, eventName, encodedKey).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void recordKeysAreDecodedExactlyOnceAsS3EncodesThem() {
        var created = parser.parse(
                        minio("inbox%2Fdigits%2Falice%2Fmy+file%2B1+%C3%A9t%C3%A9%2525.png", "s3:ObjectCreated:Put"))
                .created();
        assertThat(created).singleElement().satisfies(o -> {
            assertThat(o.key()).isEqualTo("inbox/digits/alice/my file+1 été%25.png");
            assertThat(o.bucket()).isEqualTo("infermesh");
            assertThat(o.eTag()).isEqualTo("abc");
            assertThat(o.size()).isEqualTo(42);
            assertThat(o.version()).isEqualTo("abc");
        });
    }

    @Test
    void minioUserMetadataIsReadAndAwsRecordsHaveNone() {
        var minio = parser.parse("""
                {"EventName":"s3:ObjectCreated:Put","Records":[{"eventName":"s3:ObjectCreated:Put",
                 "s3":{"bucket":{"name":"b"},"object":{"key":"inbox/digits/alice/a.png","eTag":"e",
                  "userMetadata":{"content-type":"image/png","X-Amz-Meta-Infermesh-Placement":"lambda"}}}}]}
                """.getBytes(StandardCharsets.UTF_8)).created().getFirst();
        assertThat(minio.userMetadata()).containsEntry("X-Amz-Meta-Infermesh-Placement", "lambda");
        assertThat(minio.placement()).isEqualTo("lambda");

        var aws = parser.parse(minio("inbox%2Fdigits%2Falice%2Fa.png", "s3:ObjectCreated:Put"))
                .created()
                .getFirst();
        assertThat(aws.userMetadata())
                .as("nothing said: look it up, or let the card decide")
                .isNull();
        assertThat(aws.placement()).isNull();
    }

    @Test
    void userMetadataThatIsNotAnObjectIsMalformed() {
        assertThatThrownBy(() -> parser.parse("""
                {"Records":[{"eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"b"},
                 "object":{"key":"k","userMetadata":"lambda"}}}]}
                """.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedNotificationException.class)
                .hasMessageContaining("userMetadata");
    }

    @Test
    void removalsAndAccessesAreIgnoredByName() {
        var notification = parser.parse(minio("inbox%2Fa", "s3:ObjectRemoved:Delete"));
        assertThat(notification.created()).isEmpty();
        assertThat(notification.ignoredEventNames()).containsExactly("s3:ObjectRemoved:Delete");
    }

    @Test
    void anAwsTestEventIsAcknowledgedNotAnError() {
        var notification = parser.parse("""
                {"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-22T10:00:00.000Z","Bucket":"b"}
                """.getBytes(StandardCharsets.UTF_8));
        assertThat(notification.created()).isEmpty();
        assertThat(notification.ignoredEventNames()).containsExactly("s3:TestEvent");
    }

    @Test
    void somethingThatIsNotJsonIsMalformed() {
        assertThatThrownBy(() -> parser.parse("<xml/>".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedNotificationException.class)
                .hasMessageContaining("not JSON");
    }

    @Test
    void aCreatedRecordWithoutAKeyIsMalformed() {
        assertThatThrownBy(() -> parser.parse("""
                {"Records":[{"eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{}}}]}
                """.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedNotificationException.class)
                .hasMessageContaining("s3.object.key");
    }

    @Test
    void severalRecordsInOneNotificationAreSeveralObjects() {
        var created = parser.parse("""
                {"Records":[
                 {"eventName":"ObjectCreated:Put","eventTime":"2026-11-22T10:00:00.000Z",
                  "s3":{"bucket":{"name":"b"},"object":{"key":"inbox/digits/a/1.png","size":1,"eTag":"e1"}}},
                 {"eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"inbox/x"}}},
                 {"eventName":"ObjectCreated:CompleteMultipartUpload","eventTime":"2026-11-22T10:00:01.000Z",
                  "s3":{"bucket":{"name":"b"},"object":{"key":"inbox/digits/a/2.png","size":2,"eTag":"e2-2"}}}]}
                """.getBytes(StandardCharsets.UTF_8)).created();
        assertThat(created)
                .extracting(ObjectCreated::key)
                .containsExactly("inbox/digits/a/1.png", "inbox/digits/a/2.png");
        assertThat(created)
                .extracting(ObjectCreated::eventName)
                .containsExactly("s3:ObjectCreated:Put", "s3:ObjectCreated:CompleteMultipartUpload");
    }

    @Test
    void anObjectsVersionIsItsVersionIdElseItsETagElseItsSequencer() {
        var time = Instant.parse("2026-11-22T10:00:00Z");
        assertThat(new ObjectCreated("e", "b", "k", 1, "etag", "v1", "seq", null, time).version())
                .isEqualTo("v1");
        assertThat(new ObjectCreated("e", "b", "k", 1, "etag", null, "seq", null, time).version())
                .isEqualTo("etag");
        assertThat(new ObjectCreated("e", "b", "k", 1, "etag", "null", "seq", null, time).version())
                .as("S3 writes the string null for unversioned buckets")
                .isEqualTo("etag");
        assertThat(new ObjectCreated("e", "b", "k", 1, null, null, "seq", null, time).version())
                .isEqualTo("seq");
    }
}
