package io.infermesh.deploy.aws;

import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.CfnOutputProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.constructs.Construct;

/**
 * infermesh's AWS side in one stack: {@link Intake} (bucket, ingest queue, notifications), {@link LambdaWorker},
 * {@link BatchWorkers} and {@link MeshPolicies}. One stack, because every part refers to the ingest queue and the
 * bucket, and a user deploys and removes them together; its outputs are what the model cards and the services'
 * configuration need.
 */
public final class InfermeshStack extends Stack {

    final Intake intake;
    final LambdaWorker lambda;
    final BatchWorkers batch;
    final MeshPolicies policies;

    /** The stack under {@code scope}, named {@link StackSettings#stackName()}. */
    InfermeshStack(Construct scope, StackSettings settings, StackProps props) {
        super(scope, settings.stackName(), props);
        intake = new Intake(this, "Intake", settings);
        lambda = new LambdaWorker(this, "Lambda", settings, intake);
        batch = new BatchWorkers(this, "Batch", settings, intake);
        policies = new MeshPolicies(this, "Policies", settings, intake, lambda, batch);

        output("BucketName", intake.bucket.getBucketName(), "the bucket: uploads under inbox/, results under results/");
        output("IngestQueueUrl", intake.queue.getQueueUrl(), "ingest-service's INFERMESH_INGEST_SQS_QUEUE_URLS");
        output("FunctionName", lambda.function.getFunctionName(), "cards' placement.lambda.functionName");
        output("FunctionAlias", lambda.alias.getAliasName(), "cards' placement.lambda.qualifier");
        output("CpuJobQueue", settings.cpuQueueName(), "cards' placement.batch.jobQueue (CPU models)");
        output("GpuJobQueue", settings.gpuQueueName(), "cards' placement.batch.jobQueue (GPU models)");
        output("CpuJobDefinition", settings.cpuJobDefinitionName(), "cards' placement.batch.jobDefinition (CPU)");
        output("GpuJobDefinition", settings.gpuJobDefinitionName(), "cards' placement.batch.jobDefinition (GPU)");
        output("RouterPolicyArn", policies.router.getManagedPolicyArn(), "attach to router-service's identity");
        output("IngestPolicyArn", policies.ingest.getManagedPolicyArn(), "attach to ingest-service's identity");
    }

    private void output(String id, String value, String description) {
        new CfnOutput(
                this,
                id,
                CfnOutputProps.builder().value(value).description(description).build());
    }
}
