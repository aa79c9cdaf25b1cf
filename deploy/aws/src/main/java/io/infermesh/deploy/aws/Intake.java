package io.infermesh.deploy.aws;

import io.infermesh.deploy.aws.StackSettings.Notifications;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.SqsQueue;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.EventType;
import software.amazon.awscdk.services.s3.NotificationKeyFilter;
import software.amazon.awscdk.services.s3.notifications.SqsDestination;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * The input/results bucket and the ingest queue: uploads under the inbox prefix become messages on the queue (S3's
 * notification, or the EventBridge variant), which also receives the Lambda destination records and Batch's job-state
 * events. The data-access statements of the mesh's roles live here too, so that the bucket's layout is stated once.
 */
final class Intake extends Construct {

    final Bucket bucket;
    final Queue queue;
    final Queue deadLetters;
    private final StackSettings settings;

    Intake(Construct scope, String id, StackSettings settings) {
        super(scope, id);
        this.settings = settings;
        Bucket.Builder bucketBuilder = Bucket.Builder.create(this, "Bucket")
                .versioned(true) // a job id is derived from the object's version (ADR 0004)
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                .eventBridgeEnabled(settings.notifications() == Notifications.EVENTBRIDGE)
                .removalPolicy(RemovalPolicy.RETAIN); // people's uploads and results outlive a `cdk destroy`
        settings.bucketName().ifPresent(bucketBuilder::bucketName);
        bucket = bucketBuilder.build();

        deadLetters = Queue.Builder.create(this, "IngestDeadLetters")
                .queueName(settings.queueName() + "-dlq")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(14))
                .build();
        queue = Queue.Builder.create(this, "IngestQueue")
                .queueName(settings.queueName())
                // SSE-SQS, not KMS: S3, EventBridge and Lambda destinations can send to it without a key policy
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                // ingest holds a message while Kafka acknowledges and, for a result, while its lifecycle event comes
                // back (results.lifecycle-wait, 10 s)
                .visibilityTimeout(Duration.seconds(60))
                .retentionPeriod(Duration.days(4))
                // ingest deletes what it dead-letters in Kafka; what keeps failing otherwise (Kafka down) is kept here
                .deadLetterQueue(DeadLetterQueue.builder()
                        .queue(deadLetters)
                        .maxReceiveCount(10)
                        .build())
                .build();

        NotificationKeyFilter inbox =
                NotificationKeyFilter.builder().prefix(settings.inboxPrefix()).build();
        switch (settings.notifications()) {
            case SQS -> bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(queue), inbox);
            case EVENTBRIDGE ->
                Rule.Builder.create(this, "UploadsToIngest")
                        .description("S3 Object Created under " + settings.inboxPrefix() + " to the ingest queue")
                        .eventPattern(EventPattern.builder()
                                .source(List.of("aws.s3"))
                                .detailType(List.of("Object Created"))
                                .detail(Map.of(
                                        "bucket",
                                        Map.of("name", List.of(bucket.getBucketName())),
                                        "object",
                                        Map.of("key", List.of(Map.of("prefix", settings.inboxPrefix())))))
                                .build())
                        .targets(List.of(new SqsQueue(queue)))
                        .build();
        }
    }

    /** The ARN pattern of every object under {@code prefix}. */
    String objects(String prefix) {
        return bucket.arnForObjects(prefix + "*");
    }

    /**
     * What a worker (the Lambda function, a Batch job) may do with data: read inputs (of any version: the job names
     * it), write results, and list the bucket, so that a missing input is S3's 404 ({@code INPUT_NOT_FOUND}) and not
     * a 403 that the worker must treat as a storage failure.
     */
    List<PolicyStatement> workerStatements() {
        return List.of(
                allow("ReadInputs", List.of("s3:GetObject", "s3:GetObjectVersion"), objects(settings.inboxPrefix())),
                allow("WriteResults", List.of("s3:PutObject"), objects(settings.resultsPrefix())),
                allow("KnowMissingInputs", List.of("s3:ListBucket"), bucket.getBucketArn()));
    }

    /** ingest-service's: its SQS intake, and the HeadObject of {@code sqs.head-objects} for the owner's placement. */
    List<PolicyStatement> ingestStatements() {
        return List.of(
                allow("ReadIngestQueue", List.of("sqs:ReceiveMessage", "sqs:DeleteMessage"), queue.getQueueArn()),
                allow(
                        "ReadUploadMetadata",
                        List.of("s3:GetObject", "s3:GetObjectVersion"),
                        objects(settings.inboxPrefix())));
    }

    static PolicyStatement allow(String sid, List<String> actions, String... resources) {
        return PolicyStatement.Builder.create()
                .sid(sid)
                .effect(Effect.ALLOW)
                .actions(actions)
                .resources(List.of(resources))
                .build();
    }
}
