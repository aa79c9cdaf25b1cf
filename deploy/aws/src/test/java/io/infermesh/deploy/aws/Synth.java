package io.infermesh.deploy.aws;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.assertions.Template;

/**
 * {@code cdk synth} in the test JVM: the app with some context, synthesised into a fresh directory, as a
 * {@link Template} of CDK's assertion library. The CDK's Java binding runs its jsii kernel on {@code node}; without
 * it the test is skipped, saying so.
 */
final class Synth {

    private static final String NO_NODE = nodeProblem();

    private Synth() {}

    /** The stack's template with this context (on top of the defaults). */
    static Template template(Map<String, Object> context) {
        return Template.fromStack(stack(context));
    }

    static InfermeshStack stack(Map<String, Object> context) {
        assumeTrue(NO_NODE == null, () -> "CDK's jsii kernel needs node on PATH, synth tests skipped: " + NO_NODE);
        try {
            Path out = Files.createDirectories(Path.of("target"))
                    .resolve(Files.createTempDirectory(Path.of("target"), "cdk.out-"));
            App app = new App(
                    AppProps.builder().outdir(out.toString()).context(context).build());
            return InfermeshAwsApp.build(app);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String nodeProblem() {
        try {
            Process node = new ProcessBuilder("node", "--version")
                    .redirectErrorStream(true)
                    .start();
            if (!node.waitFor(30, TimeUnit.SECONDS)) {
                node.destroyForcibly();
                return "node --version did not answer within 30 s";
            }
            return node.exitValue() == 0 ? null : "node --version exited with " + node.exitValue();
        } catch (IOException e) {
            return "node is not on PATH (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
