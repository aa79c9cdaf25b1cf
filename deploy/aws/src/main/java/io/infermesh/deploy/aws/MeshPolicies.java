package io.infermesh.deploy.aws;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.constructs.Construct;

/**
 * What the mesh's own services need on this AWS side, as customer-managed policies to attach to whatever identity
 * runs them (an EC2 instance role, an EKS service account, an IAM user's keys on premises): the router invokes the
 * function's alias and submits and describes Batch jobs; ingest-service reads and deletes the ingest queue's messages
 * and reads an upload's metadata.
 */
final class MeshPolicies extends Construct {

    /**
     * Batch's Describe* calls are not resource-scoped (AWS's service authorization reference lists no resource for
     * them), so they take {@code "*"}; they read job and queue metadata, no data.
     */
    static final List<String> BATCH_DESCRIBE =
            List.of("batch:DescribeJobs", "batch:DescribeJobQueues", "batch:DescribeJobDefinitions");

    final ManagedPolicy router;
    final ManagedPolicy ingest;

    MeshPolicies(
            Construct scope,
            String id,
            StackSettings settings,
            Intake intake,
            LambdaWorker lambda,
            BatchWorkers batch) {
        super(scope, id);
        List<String> submittable = new ArrayList<>(batch.queueArns());
        submittable.addAll(batch.definitionArns());
        router = ManagedPolicy.Builder.create(this, "Router")
                .managedPolicyName(settings.stackName() + "-router")
                .description("infermesh router-service: invoke the Lambda worker, submit and follow Batch jobs")
                .statements(List.of(
                        Intake.allow(
                                "InvokeWorker",
                                List.of("lambda:InvokeFunction"),
                                lambda.invocableArns().toArray(String[]::new)),
                        Intake.allow("SubmitJobs", List.of("batch:SubmitJob"), submittable.toArray(String[]::new)),
                        Intake.allow("FollowJobs", BATCH_DESCRIBE, "*")))
                .build();
        ingest = ManagedPolicy.Builder.create(this, "Ingest")
                .managedPolicyName(settings.stackName() + "-ingest")
                .description("infermesh ingest-service: read the ingest queue and uploads' metadata")
                .statements(intake.ingestStatements())
                .build();
    }
}
