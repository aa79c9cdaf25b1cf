package io.infermesh.deploy.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermesh.localinfra.MotoServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The built worker artefact, run as AWS would run it, each in a fresh JVM against a moto server's S3 with the digits
 * model: the Lambda zip unpacked as Lambda unpacks it into {@code /var/task}, its handler resolved from the stack's
 * handler string (the cold start is measured here, see the README); and the Batch image's content, started with
 * the Dockerfile's own {@code ENTRYPOINT} and environment and the job definition's command. The class path is only
 * the artefact, so a class the packaging left out fails here. Skipped, saying why, without moto.
 */
@ExtendWith(MotoServer.class)
class LambdaArtefactTests {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Path ZIP = Path.of(StackSettings.LAMBDA_ZIP);
    static final Path IMAGE = Path.of("target/batch-image");
    static final Pattern PROBE =
            Pattern.compile("jvmStartMs=(\\d+) initMs=(\\d+) firstInvocationMs=(\\d+) result=(.*)");

    static String bucket;

    @BeforeAll
    static void bucket() {
        bucket = "artefact-" + UUID.randomUUID();
        try (S3Client s3 = MotoServer.s3()) {
            s3.createBucket(b -> b.bucket(bucket));
        }
    }

    @Test
    void theLambdaZipAnswersTheDigitsJobInAFreshJvmAndWritesItsResult() throws Exception {
        Path task = unzip(ZIP, Files.createTempDirectory(Files.createDirectories(Path.of("target")), "var-task-"));
        String jobId = UUID.randomUUID().toString();
        String job = upload(jobId, "lambda");
        Map<String, String> env = s3Environment();
        env.put("INFERMESH_MODELS_DIR", task.resolve("models").toString());
        // what the stack sets on the function
        env.put("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1");
        List<String> command = List.of(
                java(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                task + ":" + task.resolve("lib") + "/*:target/test-classes",
                ColdStartProbe.class.getName(),
                LambdaWorker.HANDLER,
                job);

        long started = System.nanoTime();
        Run run = run(command, env);
        long wallMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(run.exit()).as(run.output()).isZero();
        Matcher probe = PROBE.matcher(run.lastLine());
        assertThat(probe.matches()).as(run.output()).isTrue();
        JsonNode result = JSON.readTree(probe.group(4));
        assertThat(result.path("jobId").asString()).isEqualTo(jobId);
        assertThat(result.path("predictions").get(0).path("label").asString()).isEqualTo("3");
        assertThat(storedAnswer(jobId).path("labels").get(0).asString()).isEqualTo("3");
        String measured = "Lambda zip " + Files.size(ZIP) + " bytes; fresh JVM "
                + Runtime.version().feature()
                + ": wall " + wallMs + " ms, JVM start " + probe.group(1) + " ms, Handler() " + probe.group(2)
                + " ms, first digits invocation " + probe.group(3) + " ms";
        Files.writeString(Path.of("target/lambda-cold-start.txt"), measured + System.lineSeparator());
        System.out.println(measured);
    }

    @Test
    void theBatchImageContentRunsTheJobFromItsEnvironmentWithTheDockerfilesEntrypoint() throws Exception {
        Path app = IMAGE.resolve("worker").toAbsolutePath();
        Dockerfile dockerfile = Dockerfile.read(IMAGE.resolve("Dockerfile"), "/app", app.toString());
        String jobId = UUID.randomUUID().toString();
        Map<String, String> env = s3Environment();
        env.putAll(dockerfile.env());
        env.put("INFERMESH_JOB", upload(jobId, "batch"));
        List<String> command = new ArrayList<>(dockerfile.entrypoint());
        command.set(0, java()); // the image's "java"
        command.addAll(BatchWorkers.COMMAND);

        Run run = run(command, env);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(JSON.readTree(run.lastLine()).path("jobId").asString()).isEqualTo(jobId);
        assertThat(storedAnswer(jobId).path("labels").get(0).asString()).isEqualTo("3");
    }

    /** Uploads digit-3.png under the inbox; returns the router's payload for it, as JSON. */
    static String upload(String jobId, String backend) throws IOException {
        String key = "inbox/digits/alice/" + jobId + "-digit-3.png";
        try (S3Client s3 = MotoServer.s3()) {
            s3.putObject(
                    b -> b.bucket(bucket).key(key),
                    RequestBody.fromFile(Path.of("../../models/digits/samples/digit-3.png")));
        }
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("jobId", jobId);
        job.put("model", "digits");
        job.put("owner", "alice");
        job.put("attempt", 1);
        job.put("backend", backend);
        job.put("input", Map.of("bucket", bucket, "key", key));
        job.put("output", Map.of("bucket", bucket, "key", resultKey(jobId)));
        job.put("placementReason", "test");
        job.put("requestedAt", Instant.now().toString());
        job.put("dispatchedAt", Instant.now().toString());
        return JSON.writeValueAsString(job);
    }

    static String resultKey(String jobId) {
        return "results/digits/alice/" + jobId + "/result.json";
    }

    static JsonNode storedAnswer(String jobId) {
        try (S3Client s3 = MotoServer.s3()) {
            return JSON.readTree(s3.getObjectAsBytes(b -> b.bucket(bucket).key(resultKey(jobId)))
                    .asByteArray());
        }
    }

    /** The worker's S3 settings (worker-service README, predict --job-from-env) pointing at moto. */
    static Map<String, String> s3Environment() {
        var credentials = MotoServer.credentials().resolveCredentials();
        Map<String, String> env = new HashMap<>();
        env.put("INFERMESH_S3_ENDPOINT", MotoServer.endpoint().toString());
        env.put("INFERMESH_S3_ACCESS_KEY", credentials.accessKeyId());
        env.put("INFERMESH_S3_SECRET_KEY", credentials.secretAccessKey());
        env.put("INFERMESH_S3_PATH_STYLE", "true");
        env.put("AWS_REGION", MotoServer.REGION.id());
        return env;
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    record Run(int exit, String output) {
        String lastLine() {
            String[] lines = output.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    static Run run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("INFERMESH_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        byte[] output;
        try (InputStream in = process.getInputStream()) {
            output = in.readAllBytes();
        }
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("did not end within 120 s: " + command);
        }
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    static Path unzip(Path zip, Path into) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                Path target = into.resolve(entry.getName()).normalize();
                if (!target.startsWith(into)) {
                    throw new IOException("entry outside the zip's root: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(in, target);
                }
            }
        }
        return into.toAbsolutePath();
    }
}
