package io.infermesh.ingest.intake;

import io.infermesh.ingest.jobs.Inbox;
import io.infermesh.ingest.notification.BucketNotification;
import io.infermesh.ingest.notification.ObjectCreated;
import io.infermesh.ingest.notification.QueueMessage;
import io.infermesh.ingest.notification.QueueMessageReader;
import io.infermesh.ingest.notification.S3EventRecords;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import tools.jackson.databind.json.JsonMapper;

/**
 * From a notification's body to the ids of the jobs it creates, as {@link NotificationHandler} does it: the
 * MinIO Kafka intake ({@link S3EventRecords#parse(byte[])}, as {@code StorageEventIntake} hands it the record value),
 * the SQS intake ({@link QueueMessageReader#read(String)}, as {@code SqsIntake} hands it the message body the SDK
 * decoded), then {@link Inbox#classify} per record. Publishing, counters and logging are not included.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class NotificationParsingBenchmarks {

    private final JsonMapper json = JsonMapper.builder().build();
    private final S3EventRecords kafkaIntake = new S3EventRecords(json);
    private final QueueMessageReader sqsIntake = new QueueMessageReader(json);
    private final Inbox inbox = Notifications.INBOX;

    private byte[] minioOne;
    private byte[] minioTen;
    private String sqs;
    private String sns;
    private ObjectCreated record;

    @Setup
    public void setUp() {
        minioOne = Notifications.minioKafka(1);
        minioTen = Notifications.minioKafka(10);
        sqs = Notifications.sqsS3Event();
        sns = Notifications.snsWrappedS3Event();
        record = kafkaIntake.parse(minioOne).created().getFirst();
        // measure the path that creates jobs, not an early rejection
        check(kafkaIntake.parse(minioOne), 1);
        check(kafkaIntake.parse(minioTen), 10);
        check(sqsIntake.read(sqs), 1);
        check(sqsIntake.read(sns), 1);
    }

    /** MinIO's Kafka target, one record (what MinIO sends): bytes to one job id. */
    @Benchmark
    public List<String> minioKafkaOneRecord() {
        return Notifications.jobIds(kafkaIntake.parse(minioOne), inbox);
    }

    /** The same shape with ten records: bytes to ten job ids. */
    @Benchmark
    public List<String> minioKafkaTenRecords() {
        return Notifications.jobIds(kafkaIntake.parse(minioTen), inbox);
    }

    /** An AWS S3 event on SQS: message body to one job id. */
    @Benchmark
    public List<String> sqsS3Event() {
        return Notifications.jobIds(sqsIntake.read(sqs), inbox);
    }

    /** The same event wrapped by SNS (a JSON string inside the envelope, parsed twice): body to one job id. */
    @Benchmark
    public List<String> sqsSnsWrappedS3Event() {
        return Notifications.jobIds(sqsIntake.read(sns), inbox);
    }

    /** {@link Inbox#classify} alone on an already parsed record: key checks and the name-based UUID. */
    @Benchmark
    public Inbox.Outcome inboxClassifyOnly() {
        return inbox.classify(record);
    }

    private void check(QueueMessage message, int expected) {
        List<Inbox.Outcome> outcomes = ((BucketNotification) message).created().stream().map(inbox::classify)
                .toList();
        if (outcomes.size() != expected || !outcomes.stream().allMatch(Inbox.NewJob.class::isInstance)) {
            throw new IllegalStateException("expected " + expected + " new jobs, got " + outcomes);
        }
    }
}
