package io.infermesh.deploy.aws;

import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;

/**
 * The CDK app ({@code cdk synth}, {@code cdk deploy} run it through cdk.json): one {@link InfermeshStack} configured
 * by CDK context ({@link StackSettings}), in the account and region of the caller's AWS credentials.
 */
public final class InfermeshAwsApp {

    private InfermeshAwsApp() {}

    public static void main(String[] args) {
        App app = new App();
        build(app);
        app.synth();
    }

    /** The stack of {@code app}, from its context. */
    static InfermeshStack build(App app) {
        StackSettings settings = StackSettings.from(app.getNode()::tryGetContext);
        Environment.Builder env = Environment.builder();
        // the CLI sets these from the profile; without them the template is environment-agnostic (the tests)
        String account = System.getenv("CDK_DEFAULT_ACCOUNT");
        String region = System.getenv("CDK_DEFAULT_REGION");
        if (account != null && region != null) {
            env.account(account).region(region);
        }
        return new InfermeshStack(
                app,
                settings,
                StackProps.builder()
                        .env(env.build())
                        .description("infermesh on AWS: bucket, ingest queue, Lambda and Batch workers (deploy/aws)")
                        .build());
    }
}
