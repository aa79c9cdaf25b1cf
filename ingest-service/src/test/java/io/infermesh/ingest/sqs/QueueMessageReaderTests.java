package io.infermesh.ingest.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.ingest.notification.BackendReport;
import io.infermesh.ingest.notification.BucketNotification;
import io.infermesh.ingest.notification.CloudBackendExamples;
import io.infermesh.ingest.notification.MalformedNotificationException;
import io.infermesh.ingest.notification.QueueMessage;
import io.infermesh.ingest.notification.QueueMessageReader;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class QueueMessageReaderTests {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private final QueueMessageReader reader = new QueueMessageReader(JSON);

    @Test
    void aDirectS3EventHasItsKeysDecodedOnce() {
        var created = notification(SqsIntakeIntegrationTests.s3Event("b", "inbox/d/o/a b+c%2B.png", "e"))
                .created();
        assertThat(created).singleElement().satisfies(o -> {
            assertThat(o.key()).isEqualTo("inbox/d/o/a b+c%2B.png");
            assertThat(o.eventName()).isEqualTo("s3:ObjectCreated:Put");
            assertThat(o.version()).isEqualTo("e");
        });
    }

    @Test
    void anSnsEnvelopeIsUnwrappedAndTheInnerKeysDecodedOnce() {
        String envelope = JSON.writeValueAsString(Map.of(
                "Type",
                "Notification",
                "MessageId",
                "m",
                "TopicArn",
                "arn:aws:sns:us-east-1:123456789012:t",
                "Subject",
                "Amazon S3 Notification",
                "Message",
                SqsIntakeIntegrationTests.s3Event("b", "inbox/d/o/é+%.png", "e")));
        assertThat(notification(envelope).created())
                .singleElement()
                .satisfies(o -> assertThat(o.key()).isEqualTo("inbox/d/o/é+%.png"));
    }

    @Test
    void anEventBridgeKeyIsNeverDecoded() {
        var created = notification(SqsIntakeIntegrationTests.eventBridge("b", "inbox/d/o/a+b%20c.png", "e"))
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
        assertThat(notification("""
                {"Records":[{"eventName":"ObjectCreated:Put","eventTime":"2026-11-22T10:00:00.250000",
                 "s3":{"bucket":{"name":"b"},"object":{"key":"k","eTag":"e"}}}]}""").created().getFirst().eventTime())
                .isEqualTo(Instant.parse("2026-11-22T10:00:00.250Z"));
        assertThat(notification("""
                {"detail-type":"Object Created","source":"aws.s3","time":1795341600,
                 "detail":{"bucket":{"name":"b"},"object":{"key":"k","eTag":"e","version-id":"v1"}}}""").created().getFirst()).satisfies(o -> {
            assertThat(o.eventTime()).isEqualTo(Instant.ofEpochSecond(1795341600));
            assertThat(o.version()).isEqualTo("v1");
        });
    }

    @Test
    void otherEventBridgeS3EventsAndTestEventsAreIgnoredByName() {
        assertThat(notification("""
                {"detail-type":"Object Deleted","source":"aws.s3","detail":{"bucket":{"name":"b"}}}""").ignoredEventNames()).containsExactly("Object Deleted");
        String test = "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Bucket\":\"b\"}";
        assertThat(notification(test).ignoredEventNames()).containsExactly("s3:TestEvent");
        String wrapped = JSON.writeValueAsString(Map.of("Type", "Notification", "TopicArn", "t", "Message", test));
        assertThat(notification(wrapped).ignoredEventNames()).containsExactly("s3:TestEvent");
    }

    @Test
    void unknownShapesAreMalformedSayingWhy() {
        assertThatThrownBy(() -> reader.read("<xml/>"))
                .isInstanceOf(MalformedNotificationException.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> reader.read("{\"hello\":1}"))
                .isInstanceOf(MalformedNotificationException.class)
                .hasMessageContaining("neither an S3 event");
        assertThatThrownBy(() -> reader.read("""
                {"Type":"SubscriptionConfirmation","TopicArn":"t","Message":"x"}""")).hasMessageContaining("SubscriptionConfirmation");
        assertThatThrownBy(() -> reader.read("""
                {"Type":"Notification","TopicArn":"t","Message":"not json"}""")).hasMessageContaining("SNS Message");
        assertThatThrownBy(() -> reader.read("""
                {"detail-type":"Object Created","source":"aws.s3","detail":{"bucket":{"name":"b"},"object":{}}}""")).hasMessageContaining("detail.object.key");
        assertThatThrownBy(() -> reader.read("""
                {"detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","detail":{}}""")).hasMessageContaining("from 'aws.ec2'");
        assertThatThrownBy(() -> reader.read("""
                {"detail-type":"Batch Job Queue Blocked","source":"aws.batch","detail":{}}""")).hasMessageContaining("'Batch Job Queue Blocked' from 'aws.batch'");
    }

    @Test
    void lambdaDestinationRecordsAndBatchEventsAreToldApartFromBucketNotificationsByShape() {
        String jobId = "0f8fad5b-d9cb-369f-a165-70867728950e";
        var lambda = CloudBackendExamples.job(jobId, 1, Backend.LAMBDA);
        var batch = CloudBackendExamples.job(jobId, 2, Backend.BATCH);

        assertThat(report(CloudBackendExamples.lambdaSuccess(lambda, CloudBackendExamples.returned(lambda))))
                .satisfies(e -> assertThat(e.status()).isEqualTo(JobStatus.SUCCEEDED));
        assertThat(report(CloudBackendExamples.lambdaEventAgeExceeded(lambda)))
                .satisfies(e -> assertThat(e.status()).isEqualTo(JobStatus.FAILED));
        assertThat(report(CloudBackendExamples.batch(batch, "RUNNING"))).satisfies(e -> {
            assertThat(e.status()).isEqualTo(JobStatus.RUNNING);
            assertThat(e.attempt()).isEqualTo(2);
        });
        assertThat(notification(SqsIntakeIntegrationTests.s3Event("b", "inbox/d/o/x.png", "e"))
                        .created())
                .hasSize(1);
    }

    @Test
    void cloudBackendReportsInsideAnSnsEnvelopeAreUnwrapped() {
        String jobId = "0f8fad5b-d9cb-369f-a165-70867728950e";
        var lambda = CloudBackendExamples.job(jobId, 1, Backend.LAMBDA);
        var batch = CloudBackendExamples.job(jobId, 2, Backend.BATCH);

        assertThat(report(CloudBackendExamples.snsEnvelope(CloudBackendExamples.lambdaFailure(
                        lambda, "RetriesExhausted", "Sandbox.Timedout", "Task timed out after 3.00 seconds", 3))))
                .satisfies(e -> {
                    assertThat(e.status()).isEqualTo(JobStatus.FAILED);
                    assertThat(e.backend()).isEqualTo(Backend.LAMBDA);
                    assertThat(e.input()).isEqualTo(lambda.input());
                });
        assertThat(report(CloudBackendExamples.snsEnvelope(CloudBackendExamples.batch(batch, "SUCCEEDED"))))
                .satisfies(e -> assertThat(e.output()).isEqualTo(batch.output()));
        assertThat(reader.read(CloudBackendExamples.snsEnvelope(
                        CloudBackendExamples.lambdaSuccess(Map.of("orderId", 1), "ok"))))
                .isEqualTo(new BackendReport.NotOurs("foreign-lambda-record"));
    }

    @Test
    void aLambdaDestinationRecordDeliveredThroughEventBridgeIsRead() {
        var lambda = CloudBackendExamples.job("0f8fad5b-d9cb-369f-a165-70867728950e", 1, Backend.LAMBDA);
        String event = """
                {"version":"0","id":"e1","detail-type":"Lambda Function Invocation Result - Success",
                 "source":"lambda","account":"123456789012","time":"2026-11-22T18:16:05Z","region":"us-east-1",
                 "resources":["arn:aws:events:us-east-1:123456789012:event-bus/default"],"detail":%s}""".formatted(CloudBackendExamples.lambdaSuccess(lambda, CloudBackendExamples.returned(lambda)));

        assertThat(report(event).status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThatThrownBy(() -> reader.read("""
                {"detail-type":"Lambda Function Invocation Result - Failure","source":"lambda","detail":{}}""")).hasMessageContaining("not a Lambda destination record");
    }

    @Test
    void aBrokenCloudBackendReportIsMalformedSayingWhy() {
        assertThatThrownBy(() -> reader.read(CloudBackendExamples.snsEnvelope("""
                {"requestContext":{"functionArn":"arn:aws:lambda:us-east-1:1:function:f","condition":"Success"},
                 "requestPayload":{"jobId":"j","attempt":1}}""")))
                .isInstanceOf(MalformedNotificationException.class)
                .hasMessageContaining("looks like an infermesh JobDispatched but has no model, owner");
    }

    private BucketNotification notification(String body) {
        QueueMessage message = reader.read(body);
        assertThat(message).isInstanceOf(BucketNotification.class);
        return (BucketNotification) message;
    }

    private JobStatusChanged report(String body) {
        QueueMessage message = reader.read(body);
        assertThat(message).isInstanceOf(BackendReport.StatusChange.class);
        return ((BackendReport.StatusChange) message).event();
    }
}
