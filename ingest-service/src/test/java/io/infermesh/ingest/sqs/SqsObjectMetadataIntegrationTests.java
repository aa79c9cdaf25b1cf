package io.infermesh.ingest.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobRequested;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.Topics;
import io.infermesh.ingest.IngestIntegrationTest;
import io.infermesh.ingest.IngestServiceApplication;
import io.infermesh.ingest.jobs.Inbox;
import io.infermesh.localinfra.MotoServer;
import io.infermesh.localinfra.TopicProbe;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Event;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The owner's placement choice on the SQS intake, where AWS S3's notifications carry no user metadata: with
 * {@code infermesh.ingest.sqs.head-objects} ingest reads it with a HeadObject. A moto server's S3 sends its own
 * notifications of real uploads (with {@code x-amz-meta-infermesh-placement}) to moto's SQS; what ingest makes of them is
 * read on a real Kafka. (S3Proxy, the local S3, is not used here: the HeadObjects use the SQS intake's region and keys,
 * as in one AWS account, and moto's S3 is the one that announces uploads on SQS.)
 */
@ExtendWith(MotoServer.class)
@SpringBootTest(
        classes = IngestServiceApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {
            "spring.config.name=ingest-service",
            "infermesh.ingest.webhook.enabled=false",
            "infermesh.ingest.sqs.enabled=true",
            "infermesh.ingest.sqs.head-objects=true",
            "infermesh.ingest.sqs.access-key=" + MotoServer.ACCESS_KEY,
            "infermesh.ingest.sqs.secret-key=" + MotoServer.SECRET_KEY
        })
// closed at the end of the class, while moto still runs: its pollers stop cleanly instead of failing to reconnect
@DirtiesContext
class SqsObjectMetadataIntegrationTests extends IngestIntegrationTest {

    static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    static final String BUCKET = "placements-" + SUFFIX;
    static SqsClient sqs;
    static S3Client s3;
    static String queueUrl;

    @DynamicPropertySource
    static void aws(DynamicPropertyRegistry registry) {
        registry.add(
                "infermesh.ingest.sqs.endpoint", () -> MotoServer.endpoint().toString());
        registry.add(
                "infermesh.ingest.sqs.s3-endpoint", () -> MotoServer.endpoint().toString());
        registry.add("infermesh.ingest.sqs.queue-urls[0]", SqsObjectMetadataIntegrationTests::queueUrl);
    }

    /** The queue, and the bucket whose object-created notifications go to it. */
    static synchronized String queueUrl() {
        if (queueUrl == null) {
            sqs = MotoServer.client(SqsClient.builder());
            s3 = MotoServer.s3();
            queueUrl = sqs.createQueue(b -> b.queueName("placements-" + SUFFIX)).queueUrl();
            String queueArn = sqs.getQueueAttributes(
                            b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes()
                    .get(QueueAttributeName.QUEUE_ARN);
            s3.createBucket(b -> b.bucket(BUCKET));
            s3.putBucketNotificationConfiguration(b -> b.bucket(BUCKET)
                    .notificationConfiguration(n -> n.queueConfigurations(
                            q -> q.id("to-ingest").queueArn(queueArn).events(Event.S3_OBJECT_CREATED))));
        }
        return queueUrl;
    }

    @AfterAll
    static void closeClients() {
        if (sqs != null) {
            sqs.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void anUploadsPlacementIsReadWithAHeadObjectAndBecomesItsRequestedBackend() {
        double found = headObjects("found");
        String lambda = "inbox/digits/alice/" + UUID.randomUUID() + "/to lambda.png";
        String plain = "inbox/digits/alice/" + UUID.randomUUID() + "/as the card says.png";

        String lambdaTag = upload(lambda, Map.of("infermesh-placement", "lambda"));
        String plainTag = upload(plain, Map.of());

        JobRequested toLambda = requested(Inbox.jobId(BUCKET, lambda, lambdaTag));
        assertThat(toLambda.requestedBackend()).isEqualTo(Backend.LAMBDA);
        assertThat(toLambda.intake()).isEqualTo(SqsIntake.INTAKE);
        assertThat(requested(Inbox.jobId(BUCKET, plain, plainTag)).requestedBackend())
                .as("no placement metadata: the model card decides")
                .isNull();
        assertThat(headObjects("found")).isEqualTo(found + 2);
        awaitEmpty();
    }

    @Test
    void anUnknownPlacementReadWithAHeadObjectFailsTheJobAtOnce() {
        String key = "inbox/digits/bob/" + UUID.randomUUID() + ".png";
        String jobId = Inbox.jobId(BUCKET, key, upload(key, Map.of("infermesh-placement", "gpu-please")));

        List<JobStatusChanged> lifecycle = TopicProbe.awaitRecords(
                        kafkaBootstrap(),
                        Topics.JOBS_LIFECYCLE.name(),
                        jobId,
                        records -> records.size() >= 2,
                        Duration.ofSeconds(30))
                .stream()
                .map(r -> JSON.readValue(r.value(), JobStatusChanged.class))
                .toList();
        assertThat(lifecycle).extracting(JobStatusChanged::status).containsExactly(JobStatus.PENDING, JobStatus.FAILED);
        assertThat(lifecycle.getLast().reason()).isEqualTo(FailureReason.INVALID_INPUT);
        assertThat(lifecycle.getLast().message())
                .startsWith("the placement 'gpu-please' "
                        + "(x-amz-meta-infermesh-placement) is not one of auto, onprem, lambda, batch");
        assertThat(recordsUpToNow(Topics.JOBS_REQUESTED.name(), jobId))
                .as("no request for the router")
                .isEmpty();
        awaitEmpty();
    }

    @Test
    void anAnnouncedObjectThatIsGoneIsStillAJobAndItsCardDecides() {
        double notFound = headObjects("not-found");
        String key = "inbox/digits/carol/" + UUID.randomUUID() + ".png";
        sqs.sendMessage(
                b -> b.queueUrl(queueUrl()).messageBody(SqsIntakeIntegrationTests.s3Event(BUCKET, key, "etag-gone")));

        assertThat(requested(Inbox.jobId(BUCKET, key, "etag-gone")).requestedBackend())
                .isNull();
        assertThat(headObjects("not-found")).isEqualTo(notFound + 1);
        awaitEmpty();
    }

    @Test
    void onlyUploadsThatBecomeJobsAreLookedUp() {
        double lookups =
                headObjects("found") + headObjects("not-found") + headObjects("refused") + headObjects("error");
        double outside = meters.counter(
                        "infermesh.ingest.records.ignored", "intake", SqsIntake.INTAKE, "reason", "outside-inbox")
                .count();

        upload("results/digits/alice/" + UUID.randomUUID() + "/result.json", Map.of("infermesh-placement", "lambda"));

        await().atMost(Duration.ofSeconds(30))
                .until(() -> meters.counter(
                                        "infermesh.ingest.records.ignored",
                                        "intake",
                                        SqsIntake.INTAKE,
                                        "reason",
                                        "outside-inbox")
                                .count()
                        > outside);
        assertThat(headObjects("found") + headObjects("not-found") + headObjects("refused") + headObjects("error"))
                .isEqualTo(lookups);
        awaitEmpty();
    }

    /** Uploads to moto's S3 (which announces it on the queue); returns the ETag the notification carries. */
    private static String upload(String key, Map<String, String> metadata) {
        queueUrl();
        return s3.putObject(
                        b -> b.bucket(BUCKET).key(key).contentType("image/png").metadata(metadata),
                        RequestBody.fromString("pixels of " + key))
                .eTag()
                .replace("\"", "");
    }

    private double headObjects(String outcome) {
        return meters.counter("infermesh.ingest.sqs.head-objects", "outcome", outcome)
                .count();
    }

    private static JobRequested requested(String jobId) {
        ConsumerRecord<String, String> record = TopicProbe.awaitRecords(
                        kafkaBootstrap(),
                        Topics.JOBS_REQUESTED.name(),
                        jobId,
                        found -> !found.isEmpty(),
                        Duration.ofSeconds(30))
                .getFirst();
        return JSON.readValue(record.value(), JobRequested.class);
    }

    /** Every message handled and deleted: none waiting, none in flight. */
    private static void awaitEmpty() {
        await("queue empty").atMost(Duration.ofSeconds(30)).until(() -> {
            var attributes = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl())
                            .attributeNames(
                                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                    .attributes();
            return "0".equals(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                    && "0".equals(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
        });
    }
}
