package io.infermesh.deploy.aws;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Size;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.batch.EcsEc2ContainerDefinition;
import software.amazon.awscdk.services.batch.EcsFargateContainerDefinition;
import software.amazon.awscdk.services.batch.EcsJobDefinition;
import software.amazon.awscdk.services.batch.EcsMachineImage;
import software.amazon.awscdk.services.batch.EcsMachineImageType;
import software.amazon.awscdk.services.batch.FargateComputeEnvironment;
import software.amazon.awscdk.services.batch.JobQueue;
import software.amazon.awscdk.services.batch.ManagedEc2EcsComputeEnvironment;
import software.amazon.awscdk.services.batch.OrderedComputeEnvironment;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointOptions;
import software.amazon.awscdk.services.ec2.InstanceType;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ecs.AssetImageProps;
import software.amazon.awscdk.services.ecs.AwsLogDriverProps;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.LogDriver;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.SqsQueue;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.logs.CfnLogGroup;
import software.amazon.awscdk.services.logs.LogGroup;
import software.constructs.Construct;

/**
 * AWS Batch for the worker's {@code predict --job-from-env}: a Fargate compute environment and job queue for CPU
 * models, an EC2 GPU compute environment (ECS's NVIDIA image, scaled from zero) and job queue for GPU models, one job
 * definition for each, and the EventBridge rule that sends "Batch Job State Change" events of those two queues to the
 * ingest queue. The jobs run in a VPC of public subnets without NAT gateways (nothing to pay while idle; the S3
 * gateway endpoint keeps data off the internet); their role reads the inbox and writes results.
 */
final class BatchWorkers extends Construct {

    /** The GPU job's Dockerfile, beside the CPU job's in the staged build context. */
    static final String GPU_DOCKERFILE = "Dockerfile.gpu";

    /** The image's entrypoint is {@code predict}; this makes it run the router's job (worker-service README). */
    static final List<String> COMMAND = List.of("--job-from-env");

    final Vpc vpc;
    final JobQueue cpuQueue;
    final JobQueue gpuQueue;
    final EcsJobDefinition cpuJob;
    final EcsJobDefinition gpuJob;
    final Role jobRole;
    final Rule stateChanges;
    private final StackSettings settings;

    BatchWorkers(Construct scope, String id, StackSettings settings, Intake intake) {
        super(scope, id);
        this.settings = settings;
        vpc = Vpc.Builder.create(this, "Vpc")
                .maxAzs(settings.maxAzs())
                .natGateways(0)
                .subnetConfiguration(List.of(SubnetConfiguration.builder()
                        .name("jobs")
                        .subnetType(SubnetType.PUBLIC)
                        .build()))
                .gatewayEndpoints(Map.of(
                        "S3",
                        GatewayVpcEndpointOptions.builder()
                                .service(GatewayVpcEndpointAwsService.S3)
                                .build()))
                .build();
        SubnetSelection subnets =
                SubnetSelection.builder().subnetType(SubnetType.PUBLIC).build();

        FargateComputeEnvironment fargate = FargateComputeEnvironment.Builder.create(this, "Fargate")
                .computeEnvironmentName(settings.cpuQueueName())
                .vpc(vpc)
                .vpcSubnets(subnets)
                .maxvCpus(settings.fargateMaxVcpus())
                .spot(settings.fargateSpot())
                .build();
        List<InstanceType> gpuTypes =
                settings.gpuInstanceTypes().stream().map(InstanceType::new).toList();
        ManagedEc2EcsComputeEnvironment gpu = ManagedEc2EcsComputeEnvironment.Builder.create(this, "Gpu")
                .computeEnvironmentName(settings.gpuQueueName())
                .vpc(vpc)
                .vpcSubnets(subnets)
                .instanceTypes(gpuTypes)
                .useOptimalInstanceClasses(false)
                .images(List.of(EcsMachineImage.builder()
                        .imageType(EcsMachineImageType.ECS_AL2023_NVIDIA)
                        .build()))
                .minvCpus(0) // scales to zero: a GPU instance exists only while a GPU job waits or runs
                .maxvCpus(settings.gpuMaxVcpus())
                .build();
        cpuQueue = JobQueue.Builder.create(this, "CpuQueue")
                .jobQueueName(settings.cpuQueueName())
                .computeEnvironments(List.of(OrderedComputeEnvironment.builder()
                        .computeEnvironment(fargate)
                        .order(1)
                        .build()))
                .build();
        gpuQueue = JobQueue.Builder.create(this, "GpuQueue")
                .jobQueueName(settings.gpuQueueName())
                .computeEnvironments(List.of(OrderedComputeEnvironment.builder()
                        .computeEnvironment(gpu)
                        .order(1)
                        .build()))
                .build();

        jobRole = Role.Builder.create(this, "JobRole")
                .assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com"))
                .description(
                        "infermesh Batch job: read " + settings.inboxPrefix() + ", write " + settings.resultsPrefix())
                .build();
        intake.workerStatements().forEach(jobRole::addToPolicy);
        LogGroup logs = LogGroup.Builder.create(this, "Logs")
                .logGroupName("/infermesh/batch")
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        ((CfnLogGroup) logs.getNode().getDefaultChild()).setRetentionInDays(settings.logRetentionDays());
        LogDriver logging = LogDriver.awsLogs(AwsLogDriverProps.builder()
                .logGroup(logs)
                .streamPrefix("worker")
                .build());

        ContainerImage cpuImage = settings.batchImage().isPresent()
                ? ContainerImage.fromRegistry(settings.batchImage().get())
                : ContainerImage.fromAsset(settings.requireBatchImageDir().toString());
        // the same content on CUDA with ONNX Runtime's GPU build (batch/Dockerfile.gpu), unless an image is given
        ContainerImage gpuImage = settings.gpuImage().isPresent()
                ? ContainerImage.fromRegistry(settings.gpuImage().get())
                : ContainerImage.fromAsset(
                        settings.requireBatchImageDir().toString(),
                        AssetImageProps.builder().file(GPU_DOCKERFILE).build());
        cpuJob = EcsJobDefinition.Builder.create(this, "CpuJob")
                .jobDefinitionName(settings.cpuJobDefinitionName())
                .timeout(Duration.seconds(settings.batchTimeoutSeconds()))
                .retryAttempts(1) // a failed job is the router's to re-dispatch, with its reason
                .container(EcsFargateContainerDefinition.Builder.create(this, "CpuContainer")
                        .image(cpuImage)
                        .command(COMMAND)
                        .cpu(settings.jobVcpus())
                        .memory(Size.mebibytes(settings.jobMemoryMb()))
                        .assignPublicIp(true) // no NAT: the image pull and AWS APIs go out through the public IP
                        .jobRole(jobRole)
                        .environment(environment())
                        .logging(logging)
                        .build())
                .build();
        gpuJob = EcsJobDefinition.Builder.create(this, "GpuJob")
                .jobDefinitionName(settings.gpuJobDefinitionName())
                .timeout(Duration.seconds(settings.batchTimeoutSeconds()))
                .retryAttempts(1)
                .container(EcsEc2ContainerDefinition.Builder.create(this, "GpuContainer")
                        .image(gpuImage)
                        .command(COMMAND)
                        .cpu(settings.gpuJobVcpus())
                        .memory(Size.mebibytes(settings.gpuJobMemoryMb()))
                        .gpu(settings.gpusPerJob())
                        .jobRole(jobRole)
                        .environment(environment())
                        .logging(logging)
                        .build())
                .build();

        stateChanges = Rule.Builder.create(this, "JobStateChanges")
                .description("Batch Job State Change of the infermesh job queues to the ingest queue")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.batch"))
                        .detailType(List.of("Batch Job State Change"))
                        .detail(Map.of("jobQueue", List.of(cpuQueue.getJobQueueArn(), gpuQueue.getJobQueueArn())))
                        .build())
                .targets(List.of(new SqsQueue(intake.queue)))
                .build();
    }

    /** Batch sets no region variable in the container; the worker's S3 client reads {@code AWS_REGION}. */
    private Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", Stack.of(this).getRegion());
        return env;
    }

    /**
     * The job definitions' ARNs as SubmitJob authorises them: by name, any revision (the card may name
     * {@code infermesh-worker-cpu} or {@code infermesh-worker-cpu:3}).
     */
    List<String> definitionArns() {
        List<String> arns = new ArrayList<>();
        for (String name : List.of(settings.cpuJobDefinitionName(), settings.gpuJobDefinitionName())) {
            String arn = Stack.of(this)
                    .formatArn(ArnComponents.builder()
                            .service("batch")
                            .resource("job-definition")
                            .resourceName(name)
                            .build());
            arns.add(arn);
            arns.add(arn + ":*");
        }
        return arns;
    }

    List<String> queueArns() {
        return List.of(cpuQueue.getJobQueueArn(), gpuQueue.getJobQueueArn());
    }
}
