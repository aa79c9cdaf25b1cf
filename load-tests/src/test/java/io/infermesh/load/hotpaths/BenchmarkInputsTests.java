package io.infermesh.load.hotpaths;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.ingest.jobs.Inbox;
import io.infermesh.ingest.notification.BucketNotification;
import io.infermesh.ingest.notification.ObjectCreated;
import io.infermesh.ingest.notification.QueueMessageReader;
import io.infermesh.ingest.notification.S3EventRecords;
import io.infermesh.router.placement.PlacementPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The hot-path benchmarks measure the paths they name: their inputs are read by the services' own classes as new
 * jobs, placed where the benchmark says, and make a full lifecycle. No timings are asserted here.
 */
class BenchmarkInputsTests {

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

    @Test
    void anIdlePoolTakesTheJobAndABusyOneLeavesItToLambda() {
        var runTimes = PlacementBenchmarks.runTimes();
        var card = Optional.of(PlacementBenchmarks.card());

        var warm = PlacementBenchmarks.policy(PlacementBenchmarks.WARM, runTimes)
                .place(PlacementBenchmarks.job(), card, PlacementBenchmarks.NOW);
        var busy = PlacementBenchmarks.policy(PlacementBenchmarks.BUSY, runTimes)
                .place(PlacementBenchmarks.job(), card, PlacementBenchmarks.NOW);

        assertThat(warm).isInstanceOfSatisfying(PlacementPolicy.Placed.class,
                placed -> assertThat(placed.backend()).isEqualTo(Backend.ONPREM));
        assertThat(busy).isInstanceOfSatisfying(PlacementPolicy.Placed.class, placed -> {
            assertThat(placed.backend()).isEqualTo(Backend.LAMBDA);
            assertThat(placed.decision().alternatives()).hasSize(3)
                    .anySatisfy(a -> assertThat(a.note()).contains("after the deadline"));
        });
    }

    @Test
    void aBatchIsTheWholeLifeOfEachJobWithDistinctEventIds() {
        List<JobStatusChanged> batch = LifecycleEvents.batch(0, 20, Instant.parse("2026-11-22T19:23:51Z"));
        List<JobStatusChanged> next = LifecycleEvents.batch(20, 20, Instant.parse("2026-11-22T19:23:51Z"));

        assertThat(batch).hasSize(100).extracting(JobStatusChanged::eventId).doesNotHaveDuplicates();
        assertThat(batch.stream().collect(Collectors.groupingBy(JobStatusChanged::jobId))).hasSize(20)
                .allSatisfy((job, events) -> assertThat(events).extracting(JobStatusChanged::status)
                        .containsExactlyElementsOf(LifecycleEvents.STATUSES));
        assertThat(batch.getFirst().input()).isNotNull();
        assertThat(batch.getLast()).satisfies(succeeded -> {
            assertThat(succeeded.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(succeeded.predictions()).isNotEmpty();
            assertThat(succeeded.timings()).isNotNull();
        });
        assertThat(next).extracting(JobStatusChanged::jobId).doesNotContainAnyElementsOf(
                batch.stream().map(JobStatusChanged::jobId).toList());
    }
}
