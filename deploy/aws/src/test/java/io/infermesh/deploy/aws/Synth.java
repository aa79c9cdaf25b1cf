package io.infermesh.deploy.aws;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.CloudAssembly;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code cdk synth} in the test JVM: the app with some context, {@code app.synth()} into a fresh directory (the cloud
 * assembly: template, asset manifest, staged assets), its template as a {@link Template} of CDK's assertion library.
 * Each context is synthesised once per JVM (the first synthesis loads the jsii kernel, the rest reuse it). CDK's Java
 * binding runs that kernel on {@code node}; without node the test is skipped, saying so.
 *
 * @param template the stack's template
 * @param json the same template as JSON (for walking every statement)
 * @param assets the asset manifest ({@code <stack>.assets.json})
 * @param outdir the cloud assembly's directory
 */
record Synth(Template template, JsonNode json, JsonNode assets, Path outdir) {

    static final JsonMapper JSON = JsonMapper.builder().build();
    /** The defaults: S3 notifications, the Batch image built from the staged Dockerfile. */
    static final Map<String, Object> DEFAULTS = Map.of();
    /** The EventBridge variant. */
    static final Map<String, Object> EVENTBRIDGE = Map.of("notifications", "eventbridge");

    private static final String NO_NODE = nodeProblem();
    private static final Map<Map<String, Object>, Synth> DONE = new ConcurrentHashMap<>();

    static Synth of(Map<String, Object> context) {
        assumeTrue(NO_NODE == null, () -> "CDK's jsii kernel needs node on PATH, synth tests skipped: " + NO_NODE);
        return DONE.computeIfAbsent(context, Synth::synth);
    }

    /** Both notification variants, each synthesised once. */
    static List<Synth> variants() {
        return List.of(of(DEFAULTS), of(EVENTBRIDGE));
    }

    private static Synth synth(Map<String, Object> context) {
        try {
            // one directory per context, emptied first: each holds copies of the assets (~100 MB)
            Path outdir = Path.of("target/synth/" + Integer.toHexString(context.hashCode()));
            if (Files.exists(outdir)) {
                try (Stream<Path> old = Files.walk(outdir)) {
                    old.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
                }
            }
            Files.createDirectories(outdir);
            App app = new App(AppProps.builder()
                    .outdir(outdir.toString())
                    .context(context)
                    .build());
            InfermeshStack stack = InfermeshAwsApp.build(app);
            CloudAssembly assembly = app.synth();
            Object template = assembly.getStackByName(stack.getStackName()).getTemplate();
            JsonNode json = JSON.valueToTree(template);
            JsonNode assets = JSON.readTree(
                    outdir.resolve(stack.getStackName() + ".assets.json").toFile());
            return new Synth(Template.fromJSON(JSON.convertValue(json, Map.class)), json, assets, outdir);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The resources of this type, by logical id. */
    Map<String, JsonNode> resources(String type) {
        Map<String, JsonNode> found = new LinkedHashMap<>();
        json.path("Resources").properties().forEach(e -> {
            if (e.getValue().path("Type").asString().equals(type)) {
                found.put(e.getKey(), e.getValue());
            }
        });
        return found;
    }

    /** The logical id of the one resource of this type whose id starts with {@code prefix}. */
    String id(String type, String prefix) {
        List<String> ids = resources(type).keySet().stream()
                .filter(k -> k.startsWith(prefix))
                .toList();
        if (ids.size() != 1) {
            throw new AssertionError("expected one " + type + " named " + prefix + "*, found " + ids);
        }
        return ids.getFirst();
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
