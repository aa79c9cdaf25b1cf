package io.infermesh.deploy.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The stack with other context: the EventBridge variant of the uploads' notification, and names and sizes given. */
class VariantsTests {

    @Test
    void withEventBridgeTheBucketSendsItsEventsToEventBridgeAndARuleSendsInboxUploadsToTheQueue() {
        Synth synth = Synth.of(Synth.EVENTBRIDGE);
        Template template = synth.template();
        String bucket = synth.id("AWS::S3::Bucket", "IntakeBucket");
        String queue = synth.id("AWS::SQS::Queue", "IntakeIngestQueue");
        String rule = synth.id("AWS::Events::Rule", "IntakeUploadsToIngest");

        // CDK sets the bucket's notification configuration through its custom resource: EventBridge only, no queue
        template.hasResourceProperties(
                "Custom::S3BucketNotifications",
                Map.of(
                        "BucketName",
                        InfermeshStackTests.ref(bucket),
                        "NotificationConfiguration",
                        Map.of("EventBridgeConfiguration", Map.of())));
        template.hasResourceProperties(
                "AWS::Events::Rule",
                Map.of(
                        "EventPattern",
                        Map.of(
                                "source", List.of("aws.s3"),
                                "detail-type", List.of("Object Created"),
                                "detail",
                                        Map.of(
                                                "bucket", Map.of("name", List.of(InfermeshStackTests.ref(bucket))),
                                                "object", Map.of("key", List.of(Map.of("prefix", "inbox/"))))),
                        "Targets",
                        List.of(Match.objectLike(Map.of("Arn", InfermeshStackTests.arn(queue))))));
        template.hasResourceProperties(
                "AWS::SQS::QueuePolicy",
                Map.of(
                        "PolicyDocument",
                        Map.of(
                                "Statement",
                                Match.arrayWith(List.of(Match.objectLike(Map.of(
                                        "Principal", Map.of("Service", "events.amazonaws.com"),
                                        "Condition",
                                                Map.of(
                                                        "ArnEquals",
                                                        Map.of("aws:SourceArn", InfermeshStackTests.arn(rule))))))))));
        // S3 itself sends nothing to the queue in this variant
        assertThat(synth.json().path("Resources").toString()).doesNotContain("s3.amazonaws.com");
    }

    @Test
    void namesSizesAndImagesFromTheContextReachTheirResources() {
        Synth synth = Synth.of(Map.ofEntries(
                Map.entry("stackName", "mesh-test"),
                Map.entry("bucketName", "my-mesh-bucket"),
                Map.entry("queueName", "mesh-ingest"),
                Map.entry("functionName", "mesh-worker"),
                Map.entry("functionAlias", "prod"),
                Map.entry("lambdaMemoryMb", "4096"),
                Map.entry("lambdaArchitecture", "arm64"),
                Map.entry("lambdaRetryAttempts", 1),
                Map.entry("snapStart", "false"),
                Map.entry("cpuQueueName", "mesh-cpu"),
                Map.entry("gpuInstanceTypes", "g5.xlarge, g4dn.2xlarge"),
                Map.entry("gpuMaxVcpus", "32"),
                Map.entry("jobVcpus", "2"),
                Map.entry("jobMemoryMb", "4096"),
                Map.entry("batchImage", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/infermesh-worker:1"),
                Map.entry("gpuImage", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/infermesh-worker:1-gpu")));
        Template template = synth.template();

        template.hasResourceProperties("AWS::S3::Bucket", Map.of("BucketName", "my-mesh-bucket"));
        template.hasResourceProperties("AWS::SQS::Queue", Map.of("QueueName", "mesh-ingest"));
        template.hasResourceProperties(
                "AWS::Lambda::Function",
                Map.of(
                        "FunctionName",
                        "mesh-worker",
                        "MemorySize",
                        4096,
                        "Architectures",
                        List.of("arm64"),
                        "SnapStart",
                        Match.absent()));
        template.hasResourceProperties("AWS::Lambda::Alias", Map.of("Name", "prod"));
        template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", Map.of("MaximumRetryAttempts", 1));
        template.hasResourceProperties("AWS::Batch::JobQueue", Map.of("JobQueueName", "mesh-cpu"));
        template.hasResourceProperties(
                "AWS::Batch::ComputeEnvironment",
                Map.of(
                        "ComputeResources",
                        Match.objectLike(
                                Map.of("InstanceTypes", List.of("g5.xlarge", "g4dn.2xlarge"), "MaxvCpus", 32))));
        template.hasResourceProperties(
                "AWS::Batch::JobDefinition",
                Map.of(
                        "JobDefinitionName",
                        "infermesh-worker-cpu",
                        "ContainerProperties",
                        Match.objectLike(Map.of(
                                "Image",
                                "123456789012.dkr.ecr.eu-west-1.amazonaws.com/infermesh-worker:1",
                                "ResourceRequirements",
                                List.of(
                                        Map.of("Type", "MEMORY", "Value", "4096"),
                                        Map.of("Type", "VCPU", "Value", "2"))))));
        template.hasResourceProperties(
                "AWS::Batch::JobDefinition",
                Map.of(
                        "JobDefinitionName",
                        "infermesh-worker-gpu",
                        "ContainerProperties",
                        Match.objectLike(Map.of(
                                "Image", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/infermesh-worker:1-gpu"))));
        template.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of("ManagedPolicyName", "mesh-test-router"));
        // an image given is not built: no Docker asset
        assertThat(synth.assets().path("dockerImages").size()).isZero();
    }
}
