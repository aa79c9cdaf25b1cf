package io.infermesh.deploy.aws;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.destinations.SqsDestination;
import software.amazon.awscdk.services.logs.CfnLogGroup;
import software.amazon.awscdk.services.logs.LogGroup;
import software.constructs.Construct;

/**
 * The worker's engine as a Lambda function ({@code io.infermesh.worker.lambda.Handler::handleRequest}, Java 21, from
 * the zip worker-service builds), with SnapStart on its published versions, the alias the router invokes, and both
 * asynchronous-invocation destinations into the ingest queue. Its role reads the inbox, writes results and writes
 * its own log group; nothing else.
 */
final class LambdaWorker extends Construct {

    /** The handler in worker-service; the Lambda runtime constructs it with its no-argument constructor. */
    static final String HANDLER = "io.infermesh.worker.lambda.Handler::handleRequest";

    final Function function;
    final Alias alias;
    final Role role;

    LambdaWorker(Construct scope, String id, StackSettings settings, Intake intake) {
        super(scope, id);
        LogGroup logs = LogGroup.Builder.create(this, "Logs")
                .logGroupName("/aws/lambda/" + settings.functionName())
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        ((CfnLogGroup) logs.getNode().getDefaultChild()).setRetentionInDays(settings.logRetentionDays());

        // Our own role instead of CDK's default, which would attach AWSLambdaBasicExecutionRole (logs on any group)
        role = Role.Builder.create(this, "Role")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .description("infermesh Lambda worker: read " + settings.inboxPrefix() + ", write "
                        + settings.resultsPrefix() + ", its log group, its destinations")
                .build();
        intake.workerStatements().forEach(role::addToPolicy);
        logs.grantWrite(role);

        function = Function.Builder.create(this, "Function")
                .functionName(settings.functionName())
                .description("infermesh worker: one JobDispatched per asynchronous invocation")
                .runtime(Runtime.JAVA_21)
                .architecture(settings.lambdaArm64() ? Architecture.ARM_64 : Architecture.X86_64)
                .handler(HANDLER)
                .code(Code.fromAsset(settings.requireLambdaZip().toString()))
                .memorySize(settings.lambdaMemoryMb())
                .timeout(Duration.seconds(settings.lambdaTimeoutSeconds()))
                .role(role)
                .logGroup(logs)
                .snapStart(settings.snapStart() ? SnapStartConf.ON_PUBLISHED_VERSIONS : null)
                // tiered compilation stopped at C1: AWS's advice for short-lived Java functions' start-up
                .environment(Map.of("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1"))
                .build();

        SqsDestination ingest = new SqsDestination(intake.queue);
        alias = Alias.Builder.create(this, "Alias")
                .aliasName(settings.functionAlias())
                .version(function.getCurrentVersion())
                .onSuccess(ingest)
                .onFailure(ingest)
                .retryAttempts(settings.lambdaRetryAttempts())
                .maxEventAge(Duration.hours(6))
                .build();
    }

    /** What the router may call: the alias only (SnapStart's version), not {@code $LATEST} or another version. */
    List<String> invocableArns() {
        return List.of(alias.getFunctionArn());
    }
}
