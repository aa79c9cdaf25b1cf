package io.infermesh.deploy.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import tools.jackson.databind.JsonNode;

/**
 * The synthesised stack with its defaults ({@code app.synth()}, offline): every resource is there with the properties
 * that make it work with the mesh — the bucket notifies the ingest queue of uploads under the inbox, the function is
 * worker-service's handler on Java 21 with SnapStart and both destinations into the queue, Batch runs {@code predict
 * --job-from-env} on Fargate and on GPU instances and reports every state change of its two queues to the same queue.
 */
class InfermeshStackTests {

    static Synth synth;
    static Template template;
    static String bucket;
    static String queue;

    @BeforeAll
    static void synthesise() {
        synth = Synth.of(Synth.DEFAULTS);
        template = synth.template();
        bucket = synth.id("AWS::S3::Bucket", "IntakeBucket");
        queue = synth.id("AWS::SQS::Queue", "IntakeIngestQueue");
    }

    static Map<String, Object> arn(String logicalId) {
        return Map.of("Fn::GetAtt", List.of(logicalId, "Arn"));
    }

    static Map<String, Object> ref(String logicalId) {
        return Map.of("Ref", logicalId);
    }

    @Test
    void theBucketIsVersionedEncryptedPrivateKeptOnDeleteAndRefusesPlainHttp() {
        template.resourceCountIs("AWS::S3::Bucket", 1);
        template.hasResource(
                "AWS::S3::Bucket",
                Map.of(
                        "DeletionPolicy",
                        "Retain",
                        "Properties",
                        Map.of(
                                "VersioningConfiguration", Map.of("Status", "Enabled"),
                                "BucketEncryption",
                                        Map.of(
                                                "ServerSideEncryptionConfiguration",
                                                List.of(Map.of(
                                                        "ServerSideEncryptionByDefault",
                                                        Map.of("SSEAlgorithm", "AES256")))),
                                "PublicAccessBlockConfiguration",
                                        Map.of(
                                                "BlockPublicAcls", true,
                                                "BlockPublicPolicy", true,
                                                "IgnorePublicAcls", true,
                                                "RestrictPublicBuckets", true))));
        template.hasResourceProperties(
                "AWS::S3::BucketPolicy",
                Map.of(
                        "Bucket",
                        ref(bucket),
                        "PolicyDocument",
                        Map.of(
                                "Statement",
                                List.of(Match.objectLike(Map.of(
                                        "Effect", "Deny",
                                        "Action", "s3:*",
                                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false"))))))));
    }

    @Test
    void uploadsUnderTheInboxAreNotifiedToTheIngestQueueWhichOnlyTheBucketMaySendThem() {
        template.hasResourceProperties(
                "Custom::S3BucketNotifications",
                Map.of(
                        "BucketName",
                        ref(bucket),
                        "NotificationConfiguration",
                        Map.of(
                                "QueueConfigurations",
                                List.of(Map.of(
                                        "Events", List.of("s3:ObjectCreated:*"),
                                        "Filter",
                                                Map.of(
                                                        "Key",
                                                        Map.of(
                                                                "FilterRules",
                                                                List.of(Map.of("Name", "prefix", "Value", "inbox/")))),
                                        "QueueArn", arn(queue))))));
        template.hasResourceProperties(
                "AWS::SQS::QueuePolicy",
                Map.of(
                        "PolicyDocument",
                        Map.of(
                                "Statement",
                                Match.arrayWith(List.of(Map.of(
                                        "Effect", "Allow",
                                        "Principal", Map.of("Service", "s3.amazonaws.com"),
                                        "Action",
                                                List.of("sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"),
                                        "Resource", arn(queue),
                                        "Condition", Map.of("ArnLike", Map.of("aws:SourceArn", arn(bucket)))))))));
        template.resourceCountIs("AWS::Events::Rule", 1); // only Batch's: no EventBridge rule for uploads here
    }

    @Test
    void theIngestQueueIsEncryptedAndHandsWhatKeepsFailingToItsDeadLetterQueue() {
        String dlq = synth.id("AWS::SQS::Queue", "IntakeIngestDeadLetters");
        template.hasResourceProperties(
                "AWS::SQS::Queue",
                Map.of(
                        "QueueName",
                        "infermesh-ingest",
                        "SqsManagedSseEnabled",
                        true,
                        "VisibilityTimeout",
                        60,
                        "RedrivePolicy",
                        Map.of("deadLetterTargetArn", arn(dlq), "maxReceiveCount", 10)));
        template.hasResourceProperties(
                "AWS::SQS::Queue", Map.of("QueueName", "infermesh-ingest-dlq", "SqsManagedSseEnabled", true));
    }

    @Test
    void theFunctionIsTheWorkersHandlerOnJava21WithSnapStartItsOwnRoleAndLogGroup() {
        String role = synth.id("AWS::IAM::Role", "LambdaRole");
        String logs = synth.id("AWS::Logs::LogGroup", "LambdaLogs");
        template.resourceCountIs("AWS::Lambda::Function", 2); // the worker and CDK's bucket-notification handler
        template.hasResourceProperties(
                "AWS::Lambda::Function",
                Map.of(
                        "FunctionName",
                        "infermesh-worker",
                        "Handler",
                        "io.infermesh.worker.lambda.Handler::handleRequest",
                        "Runtime",
                        "java21",
                        "Architectures",
                        List.of("x86_64"),
                        "SnapStart",
                        Map.of("ApplyOn", "PublishedVersions"),
                        "MemorySize",
                        2048,
                        "Timeout",
                        900,
                        "Role",
                        arn(role),
                        "LoggingConfig",
                        Map.of("LogGroup", ref(logs))));
        template.hasResourceProperties(
                "AWS::Logs::LogGroup", Map.of("LogGroupName", "/aws/lambda/infermesh-worker", "RetentionInDays", 30));
    }

    @Test
    void theFunctionsCodeIsTheZipMavenBuiltByteForByte() throws Exception {
        String function = synth.id("AWS::Lambda::Function", "LambdaFunction");
        String key = synth.json()
                .path("Resources")
                .path(function)
                .path("Properties")
                .path("Code")
                .path("S3Key")
                .asString();
        String hash = key.replace(".zip", "");
        JsonNode asset = synth.assets().path("files").path(hash);

        assertThat(asset.path("source").path("packaging").asString()).isEqualTo("file");
        Path staged = synth.outdir().resolve(asset.path("source").path("path").asString());
        Path built = Path.of(StackSettings.LAMBDA_ZIP);
        assertThat(Files.size(staged)).isEqualTo(Files.size(built));
        assertThat(sha256(staged)).isEqualTo(sha256(built));
    }

    @Test
    void theRouterCallsTheAliasWhoseSuccessesAndFailuresGoToTheIngestQueue() {
        String function = synth.id("AWS::Lambda::Function", "LambdaFunction");
        String version = synth.id("AWS::Lambda::Version", "LambdaFunctionCurrentVersion");
        String alias = synth.id("AWS::Lambda::Alias", "LambdaAlias");
        template.hasResourceProperties(
                "AWS::Lambda::Alias",
                Map.of(
                        "Name",
                        "live",
                        "FunctionName",
                        ref(function),
                        "FunctionVersion",
                        Map.of("Fn::GetAtt", List.of(version, "Version"))));
        template.hasResourceProperties(
                "AWS::Lambda::EventInvokeConfig",
                Map.of(
                        "FunctionName", ref(function),
                        "Qualifier", Map.of("Fn::Select", List.of(7, Map.of("Fn::Split", List.of(":", ref(alias))))),
                        "DestinationConfig",
                                Map.of(
                                        "OnSuccess", Map.of("Destination", arn(queue)),
                                        "OnFailure", Map.of("Destination", arn(queue))),
                        "MaximumRetryAttempts", 0,
                        "MaximumEventAgeInSeconds", 21600));
    }

    @Test
    void batchHasAFargateEnvironmentForCpuAndAGpuEnvironmentOfNvidiaInstancesFromZero() {
        template.resourceCountIs("AWS::Batch::ComputeEnvironment", 2);
        template.hasResourceProperties(
                "AWS::Batch::ComputeEnvironment",
                Map.of(
                        "ComputeEnvironmentName", "infermesh-cpu",
                        "Type", "managed",
                        "ComputeResources", Match.objectLike(Map.of("Type", "FARGATE", "MaxvCpus", 16))));
        template.hasResourceProperties(
                "AWS::Batch::ComputeEnvironment",
                Map.of(
                        "ComputeEnvironmentName",
                        "infermesh-gpu",
                        "ComputeResources",
                        Match.objectLike(Map.of(
                                "Type",
                                "EC2",
                                "InstanceTypes",
                                List.of("g4dn.xlarge"),
                                "MinvCpus",
                                0,
                                "MaxvCpus",
                                16,
                                "Ec2Configuration",
                                List.of(Map.of("ImageType", "ECS_AL2023_NVIDIA"))))));
        // public subnets without NAT (nothing billed while idle) and the S3 gateway endpoint
        template.resourceCountIs("AWS::EC2::NatGateway", 0);
        template.resourceCountIs("AWS::EC2::Subnet", 2);
        template.hasResourceProperties(
                "AWS::EC2::VPCEndpoint", Map.of("VpcEndpointType", "Gateway", "ServiceName", Match.anyValue()));
    }

    @Test
    void eachJobQueueRunsOnItsOwnEnvironment() {
        template.resourceCountIs("AWS::Batch::JobQueue", 2);
        for (String name : List.of("cpu", "gpu")) {
            String environment =
                    synth.id("AWS::Batch::ComputeEnvironment", "Batch" + (name.equals("cpu") ? "Fargate" : "Gpu"));
            template.hasResourceProperties(
                    "AWS::Batch::JobQueue",
                    Map.of(
                            "JobQueueName",
                            "infermesh-" + name,
                            "ComputeEnvironmentOrder",
                            List.of(Map.of(
                                    "ComputeEnvironment",
                                    Map.of("Fn::GetAtt", List.of(environment, "ComputeEnvironmentArn")),
                                    "Order",
                                    1))));
        }
    }

    @Test
    void theJobDefinitionsRunPredictJobFromEnvWithTheJobRoleOnFargateAndOnAGpu() {
        String jobRole = synth.id("AWS::IAM::Role", "BatchJobRole");
        template.hasResourceProperties(
                "AWS::Batch::JobDefinition",
                Map.of(
                        "JobDefinitionName", "infermesh-worker-cpu",
                        "PlatformCapabilities", List.of("FARGATE"),
                        "Timeout", Map.of("AttemptDurationSeconds", 3600),
                        "ContainerProperties",
                                Match.objectLike(Map.of(
                                        "Command", List.of("--job-from-env"),
                                        "JobRoleArn", arn(jobRole),
                                        "NetworkConfiguration", Map.of("AssignPublicIp", "ENABLED"),
                                        "Environment",
                                                List.of(Map.of("Name", "AWS_REGION", "Value", ref("AWS::Region"))),
                                        "ResourceRequirements",
                                                List.of(
                                                        Map.of("Type", "MEMORY", "Value", "2048"),
                                                        Map.of("Type", "VCPU", "Value", "1"))))));
        template.hasResourceProperties(
                "AWS::Batch::JobDefinition",
                Map.of(
                        "JobDefinitionName", "infermesh-worker-gpu",
                        "PlatformCapabilities", List.of("EC2"),
                        "ContainerProperties",
                                Match.objectLike(Map.of(
                                        "Command", List.of("--job-from-env"),
                                        "JobRoleArn", arn(jobRole),
                                        "ResourceRequirements",
                                                List.of(
                                                        Map.of("Type", "MEMORY", "Value", "14336"),
                                                        Map.of("Type", "VCPU", "Value", "4"),
                                                        Map.of("Type", "GPU", "Value", "1"))))));
    }

    @Test
    void theBatchImagesAreBuiltByCdkDeployFromTheDockerfilesMavenStaged() throws Exception {
        JsonNode images = synth.assets().path("dockerImages");
        assertThat(images.size()).as("the CPU job's image and the GPU job's").isEqualTo(2);
        Map<String, String> tagByDockerfile = new HashMap<>();
        images.properties().forEach(entry -> {
            JsonNode source = entry.getValue().path("source");
            Path context = synth.outdir().resolve(source.path("directory").asString());
            String dockerfile = source.path("dockerFile").asString("Dockerfile");
            assertThat(context.resolve(dockerfile)).hasSameTextualContentAs(Path.of("batch/" + dockerfile));
            assertThat(context.resolve("worker/lib")).isDirectory();
            assertThat(context.resolve("worker/models/digits/model.onnx")).exists();
            tagByDockerfile.put(dockerfile, entry.getKey()); // the asset's hash is the image's tag
        });
        assertThat(tagByDockerfile).containsOnlyKeys("Dockerfile", "Dockerfile.gpu");
        Map<String, String> imageOf = Map.of(
                "infermesh-worker-cpu", tagByDockerfile.get("Dockerfile"),
                "infermesh-worker-gpu", tagByDockerfile.get("Dockerfile.gpu"));
        imageOf.forEach((definition, tag) -> template.hasResourceProperties(
                "AWS::Batch::JobDefinition",
                Map.of(
                        "JobDefinitionName",
                        definition,
                        "ContainerProperties",
                        Match.objectLike(Map.of(
                                "Image", Map.of("Fn::Sub", Match.stringLikeRegexp(".*container-assets.*:" + tag)))))));
    }

    @Test
    void theGpuImageRunsOnCudaWithOnnxRuntimesGpuBuildCheckedByItsHash() throws Exception {
        String gpu = Files.readString(Path.of("batch/Dockerfile.gpu"));
        String cpu = Files.readString(Path.of("batch/Dockerfile"));

        assertThat(gpu).containsPattern("(?m)^FROM nvidia/cuda:12\\.[0-9.]+-cudnn-runtime-");
        assertThat(gpu)
                .contains("ARG ONNXRUNTIME_VERSION=1.29.0")
                .contains("rm -rf /app/ai/onnxruntime")
                .contains("https://repo1.maven.org/maven2/com/microsoft/onnxruntime/onnxruntime_gpu/")
                .containsPattern("ONNXRUNTIME_GPU_SHA256=[0-9a-f]{64}")
                .contains("sha256sum -c -");
        assertThat(entrypoint(gpu)).as("the same command as the CPU image").isEqualTo(entrypoint(cpu));
    }

    private static String entrypoint(String dockerfile) {
        return dockerfile
                .lines()
                .filter(l -> l.startsWith("ENTRYPOINT"))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void everyStateChangeOfBothJobQueuesGoesToTheIngestQueueWhichOnlyThatRuleMaySend() {
        String rule = synth.id("AWS::Events::Rule", "BatchJobStateChanges");
        template.hasResourceProperties(
                "AWS::Events::Rule",
                Map.of(
                        "State", "ENABLED",
                        "EventPattern",
                                Map.of(
                                        "source", List.of("aws.batch"),
                                        "detail-type", List.of("Batch Job State Change"),
                                        "detail",
                                                Map.of(
                                                        "jobQueue",
                                                        List.of(
                                                                Map.of(
                                                                        "Fn::GetAtt",
                                                                        List.of(
                                                                                synth.id(
                                                                                        "AWS::Batch::JobQueue",
                                                                                        "BatchCpuQueue"),
                                                                                "JobQueueArn")),
                                                                Map.of(
                                                                        "Fn::GetAtt",
                                                                        List.of(
                                                                                synth.id(
                                                                                        "AWS::Batch::JobQueue",
                                                                                        "BatchGpuQueue"),
                                                                                "JobQueueArn"))))),
                        "Targets", List.of(Match.objectLike(Map.of("Arn", arn(queue))))));
        template.hasResourceProperties(
                "AWS::SQS::QueuePolicy",
                Map.of(
                        "PolicyDocument",
                        Map.of(
                                "Statement",
                                Match.arrayWith(List.of(Match.objectLike(Map.of(
                                        "Principal", Map.of("Service", "events.amazonaws.com"),
                                        "Resource", arn(queue),
                                        "Condition", Map.of("ArnEquals", Map.of("aws:SourceArn", arn(rule))))))))));
    }

    @Test
    void theOutputsNameWhatTheCardsAndTheServicesNeed() {
        assertThat(synth.json().path("Outputs").properties().stream().map(Map.Entry::getKey))
                .containsExactlyInAnyOrder(
                        "BucketName",
                        "IngestQueueUrl",
                        "FunctionName",
                        "FunctionAlias",
                        "CpuJobQueue",
                        "GpuJobQueue",
                        "CpuJobDefinition",
                        "GpuJobDefinition",
                        "RouterPolicyArn",
                        "IngestPolicyArn");
        template.hasOutput("IngestQueueUrl", Map.of("Value", ref(queue)));
        template.hasOutput("CpuJobQueue", Map.of("Value", "infermesh-cpu"));
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
