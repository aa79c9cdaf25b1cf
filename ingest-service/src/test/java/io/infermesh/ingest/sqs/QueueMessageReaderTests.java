package io.infermesh.ingest.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermesh.ingest.notification.MalformedNotificationException;
import io.infermesh.ingest.notification.QueueMessageReader;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class QueueMessageReaderTests {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private final QueueMessageReader reader = new QueueMessageReader(JSON);

    @Test
    void aDirectS3EventHasItsKeysDecodedOnce() {
        var created = reader.read(SqsIntakeIntegrationTests.s3Event("b", "inbox/d/o/a b+c%2B.png", "e")).created();
        assertThat(created).singleElement().satisfies(o -> {
            assertThat(o.key()).isEqualTo("inbox/d/o/a b+c%2B.png");
            assertThat(o.eventName()).isEqualTo("s3:ObjectCreated:Put");
            assertThat(o.version()).isEqualTo("e");
        });
    }

    @Test
    void anSnsEnvelopeIsUnwrappedAndTheInnerKeysDecodedOnce() {
        String envelope = JSON.writeValueAsString(java.util.Map.of("Type", "Notification", "MessageId", "m",
                "TopicArn", "arn:aws:sns:us-east-1:123456789012:t", "Subject", "Amazon S3 Notification",
                "Message", SqsIntakeIntegrationTests.s3Event("b", "inbox/d/o/é+%.png", "e")));
        assertThat(reader.read(envelope).created()).singleElement()
                .satisfies(o -> assertThat(o.key()).isEqualTo("inbox/d/o/é+%.png"));
    }

    @Test
    void anEventBridgeKeyIsNeverDecoded() {
        var created = reader.read(SqsIntakeIntegrationTests.eventBridge("b", "inbox/d/o/a+b%20c.png", "e"))
                .created();
        assertThat(created).singleElement().satisfies(o -> {
            assertThat(o.key()).isEqualTo("inbox/d/o/a+b%20c.png");
            assertThat(o.eTag()).isEqualTo("e");
            assertThat(o.size()).isEqualTo(7);
            assertThat(o.eventTime()).isEqualTo(Instant.parse("2026-11-22T10:00:00Z"));
        });
    }

    @Test
    void emulatorTimesWithoutAnOffsetAreUtcAndEventBridgeEpochSecondsAreRead() {
        assertThat(reader.read("""
                {"Records":[{"eventName":"ObjectCreated:Put","eventTime":"2026-11-22T10:00:00.250000",
                 "s3":{"bucket":{"name":"b"},"object":{"key":"k","eTag":"e"}}}]}""").created().getFirst().eventTime())
                .isEqualTo(Instant.parse("2026-11-22T10:00:00.250Z"));
        assertThat(reader.read("""
                {"detail-type":"Object Created","source":"aws.s3","time":1795341600,
                 "detail":{"bucket":{"name":"b"},"object":{"key":"k","eTag":"e","version-id":"v1"}}}""")
                .created().getFirst()).satisfies(o -> {
                    assertThat(o.eventTime()).isEqualTo(Instant.ofEpochSecond(1795341600));
                    assertThat(o.version()).isEqualTo("v1");
                });
    }

    @Test
    void otherEventBridgeS3EventsAndTestEventsAreIgnoredByName() {
        assertThat(reader.read("""
                {"detail-type":"Object Deleted","source":"aws.s3","detail":{"bucket":{"name":"b"}}}""")
                .ignoredEventNames()).containsExactly("Object Deleted");
        String test = "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Bucket\":\"b\"}";
        assertThat(reader.read(test).ignoredEventNames()).containsExactly("s3:TestEvent");
        String wrapped = JSON.writeValueAsString(java.util.Map.of("Type", "Notification", "TopicArn", "t",
                "Message", test));
        assertThat(reader.read(wrapped).ignoredEventNames()).containsExactly("s3:TestEvent");
    }

    @Test
    void unknownShapesAreMalformedSayingWhy() {
        assertThatThrownBy(() -> reader.read("<xml/>")).isInstanceOf(MalformedNotificationException.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> reader.read("{\"hello\":1}")).isInstanceOf(MalformedNotificationException.class)
                .hasMessageContaining("neither an S3 event");
        assertThatThrownBy(() -> reader.read("""
                {"Type":"SubscriptionConfirmation","TopicArn":"t","Message":"x"}"""))
                .hasMessageContaining("SubscriptionConfirmation");
        assertThatThrownBy(() -> reader.read("""
                {"Type":"Notification","TopicArn":"t","Message":"not json"}""")).hasMessageContaining("SNS Message");
        assertThatThrownBy(() -> reader.read("""
                {"detail-type":"Object Created","source":"aws.s3","detail":{"bucket":{"name":"b"},"object":{}}}"""))
                .hasMessageContaining("detail.object.key");
    }
}
