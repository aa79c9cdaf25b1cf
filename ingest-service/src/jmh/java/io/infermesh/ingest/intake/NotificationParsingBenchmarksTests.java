package io.infermesh.ingest.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.ingest.jobs.Inbox;
import io.infermesh.ingest.notification.BucketNotification;
import io.infermesh.ingest.notification.ObjectCreated;
import io.infermesh.ingest.notification.QueueMessageReader;
import io.infermesh.ingest.notification.S3EventRecords;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link NotificationParsingBenchmarks} measures the path it names: its notifications are read by the service's own
 * classes as new jobs, every key decoded as the store encoded it. No timing is asserted here.
 */
class NotificationParsingBenchmarksTests {

    private final JsonMapper json = JsonMapper.builder().build();
    private final S3EventRecords kafkaIntake = new S3EventRecords(json);
    private final QueueMessageReader sqsIntake = new QueueMessageReader(json);

    @Test
    void minioNotificationsDecodeEveryKeyOnceAndMakeOneNewJobPerRecord() {
        BucketNotification ten = kafkaIntake.parse(Notifications.minioKafka(10));

        assertThat(ten.created()).extracting(ObjectCreated::key).containsExactlyElementsOf(Notifications.KEYS);
        assertThat(ten.created()).extracting(Notifications.INBOX::classify).allMatch(Inbox.NewJob.class::isInstance);
        assertThat(Notifications.jobIds(ten, Notifications.INBOX)).hasSize(10).doesNotHaveDuplicates();
        assertThat(Notifications.jobIds(kafkaIntake.parse(Notifications.minioKafka(1)), Notifications.INBOX))
                .hasSize(1);
    }

    @Test
    void minioEncodesSlashesAndAwsDoesNot() {
        assertThat(Notifications.queryEscape("inbox/digits/alice/été 3+1.png", false))
                .isEqualTo("inbox%2Fdigits%2Falice%2F%C3%A9t%C3%A9+3%2B1.png");
        assertThat(Notifications.queryEscape("inbox/digits/alice/été 3+1.png", true))
                .isEqualTo("inbox/digits/alice/%C3%A9t%C3%A9+3%2B1.png");
    }

    @Test
    void theSameUploadOnSqsDirectlyOrThroughSnsIsTheSameNewJob() {
        BucketNotification direct = (BucketNotification) sqsIntake.read(Notifications.sqsS3Event());
        BucketNotification wrapped = (BucketNotification) sqsIntake.read(Notifications.snsWrappedS3Event());

        assertThat(direct.created()).singleElement().satisfies(object -> {
            assertThat(object.key()).isEqualTo(Notifications.KEYS.getFirst());
            assertThat(object.bucket()).isEqualTo(Notifications.AWS_BUCKET);
            assertThat(Notifications.INBOX.classify(object)).isInstanceOf(Inbox.NewJob.class);
        });
        assertThat(Notifications.jobIds(wrapped, Notifications.INBOX))
                .isEqualTo(Notifications.jobIds(direct, Notifications.INBOX)).hasSize(1);
    }
}
