package io.infermesh.localinfra;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.model.CEState;
import software.amazon.awssdk.services.batch.model.CEType;
import software.amazon.awssdk.services.batch.model.ComputeEnvironmentOrder;
import software.amazon.awssdk.services.batch.model.JQState;
import software.amazon.awssdk.services.batch.model.JobDefinitionType;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.Runtime;

/**
 * Lambda functions and Batch queues in the shared {@link MotoServer}, as an operator would create them in AWS, for
 * tests of the cloud backends.
 */
public final class MotoAws {

    private MotoAws() {}

    public static LambdaClient lambda() {
        return MotoServer.client(LambdaClient.builder());
    }

    public static BatchClient batch() {
        return MotoServer.client(BatchClient.builder());
    }

    /** Creates a Lambda function (moto without Docker: an asynchronous invocation answers 202 echoing its payload). */
    public static void function(String name) {
        try (LambdaClient lambda = lambda()) {
            lambda.createFunction(r -> r.functionName(name)
                    .runtime(Runtime.JAVA21)
                    .role(MotoServer.role("infermesh-lambda"))
                    .handler("io.infermesh.worker.lambda.Handler::handleRequest")
                    .memorySize(2048)
                    .timeout(60)
                    .code(c -> c.zipFile(SdkBytes.fromByteArray(zip()))));
        }
    }

    /** Deletes a Lambda function. */
    public static void deleteFunction(String name) {
        try (LambdaClient lambda = lambda()) {
            lambda.deleteFunction(r -> r.functionName(name));
        }
    }

    /**
     * Creates an unmanaged compute environment, a job queue on it and a job definition (moto without Docker: a
     * submitted job succeeds at once).
     */
    public static void queue(String queue, String jobDefinition) {
        try (BatchClient batch = batch()) {
            String role = MotoServer.role("infermesh-batch");
            String environment = batch.createComputeEnvironment(r -> r.computeEnvironmentName(queue + "-env")
                            .type(CEType.UNMANAGED)
                            .state(CEState.ENABLED)
                            .serviceRole(role))
                    .computeEnvironmentArn();
            batch.createJobQueue(r -> r.jobQueueName(queue)
                    .state(JQState.ENABLED)
                    .priority(1)
                    .computeEnvironmentOrder(ComputeEnvironmentOrder.builder()
                            .order(1)
                            .computeEnvironment(environment)
                            .build()));
            batch.registerJobDefinition(r -> r.jobDefinitionName(jobDefinition)
                    .type(JobDefinitionType.CONTAINER)
                    .containerProperties(c -> c.image("infermesh/worker-batch:latest")
                            .vcpus(1)
                            .memory(2048)
                            .command("predict", "--job-from-env")));
        }
    }

    private static byte[] zip() {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("README.txt"));
            zip.write("placeholder code: moto does not run functions without Docker".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.finish();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
