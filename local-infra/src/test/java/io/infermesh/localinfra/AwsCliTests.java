package io.infermesh.localinfra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.infermesh.localinfra.StorageEventsConsumer.Event;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AWS CLI against LocalS3; skipped (with the reason) where no working {@code aws} is on the PATH. */
@WithLocalInfra
class AwsCliTests {

    private static Path aws;
    /** Why the CLI cannot be used here, or null. Reported by the test as its skip reason. */
    private static String cliProblem;

    private static StorageEventsConsumer events;

    @BeforeAll
    static void findCli(@TempDir Path tmp) throws Exception {
        Optional<Path> onPath = Arrays.stream(
                        System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "aws"))
                .filter(Files::isExecutable)
                .findFirst();
        if (onPath.isEmpty()) {
            cliProblem = "the AWS CLI ('aws') is not on the PATH";
            return;
        }
        aws = onPath.get();
        Result version = run(tmp, Map.of(), aws.toString(), "--version");
        if (version.exitCode != 0) {
            cliProblem = "'" + aws + " --version' does not work here (exit " + version.exitCode + "): "
                    + version.output.strip();
            return;
        }
        LocalInfraExtension.infra().s3(); // creates the notification topic
        events = new StorageEventsConsumer(LocalInfraExtension.infra().kafka().bootstrapServers());
    }

    @AfterAll
    static void close() {
        if (events != null) {
            events.close();
        }
    }

    @Test
    void cpPutMultipartAndCopyPublishTheirNotifications(@TempDir Path tmp) throws Exception {
        assumeTrue(cliProblem == null, () -> "Skipped: " + cliProblem);
        LocalS3 s3 = LocalInfraExtension.infra().s3();
        String bucket = "cli-" + UUID.randomUUID().toString().substring(0, 12);
        s3.createBucket(bucket);
        Path small = Files.writeString(tmp.resolve("small.txt"), "from the aws cli", StandardCharsets.UTF_8);
        Path large = tmp.resolve("large.bin");
        byte[] chunk = new byte[1024 * 1024];
        Arrays.fill(chunk, (byte) 7);
        for (int i = 0; i < 9; i++) { // 9 MiB: above the CLI's 8 MiB multipart threshold
            Files.write(large, chunk, i == 0 ? new OpenOption[0] : new OpenOption[] {StandardOpenOption.APPEND});
        }
        Map<String, String> env = Map.of(
                "AWS_ACCESS_KEY_ID", s3.accessKey(),
                "AWS_SECRET_ACCESS_KEY", s3.secretKey(),
                "AWS_DEFAULT_REGION", s3.region());
        String endpoint = s3.endpoint().toString();

        Result put = run(
                tmp,
                env,
                aws.toString(),
                "--endpoint-url",
                endpoint,
                "s3",
                "cp",
                small.toString(),
                "s3://" + bucket + "/cli/small file.txt");
        assertThat(put.exitCode).as(put.output).isZero();
        Result multipart = run(
                tmp,
                env,
                aws.toString(),
                "--endpoint-url",
                endpoint,
                "s3",
                "cp",
                large.toString(),
                "s3://" + bucket + "/cli/large.bin");
        assertThat(multipart.exitCode).as(multipart.output).isZero();
        Result copy = run(
                tmp,
                env,
                aws.toString(),
                "--endpoint-url",
                endpoint,
                "s3",
                "cp",
                "s3://" + bucket + "/cli/small file.txt",
                "s3://" + bucket + "/cli/copy.txt");
        assertThat(copy.exitCode).as(copy.output).isZero();

        List<Event> published = events.forBucket(bucket);
        assertThat(published)
                .extracting(Event::recordKey)
                .containsExactlyInAnyOrder(
                        bucket + "/cli/small file.txt", bucket + "/cli/large.bin", bucket + "/cli/copy.txt");
        Event smallEvent = find(published, "/cli/small file.txt");
        assertThat(smallEvent.eventName()).isEqualTo("s3:ObjectCreated:Put");
        assertThat(smallEvent.object().get("key").asString()).isEqualTo("cli%2Fsmall+file.txt");
        assertThat(smallEvent.object().get("size").asLong()).isEqualTo(Files.size(small));
        assertThat(smallEvent.record().get("source").get("userAgent").asString())
                .startsWith("aws-cli/");
        Event largeEvent = find(published, "/cli/large.bin");
        assertThat(largeEvent.eventName()).isEqualTo("s3:ObjectCreated:CompleteMultipartUpload");
        assertThat(largeEvent.object().get("size").asLong()).isEqualTo(Files.size(large));
        assertThat(largeEvent.object().get("eTag").asString()).matches("[0-9a-f]{32}-\\d+");
        Event copyEvent = find(published, "/cli/copy.txt");
        assertThat(copyEvent.eventName()).isEqualTo("s3:ObjectCreated:Copy");
        assertThat(copyEvent.object().get("size").asLong()).isEqualTo(Files.size(small));
    }

    private static Event find(List<Event> events, String suffix) {
        return events.stream()
                .filter(e -> e.recordKey().endsWith(suffix))
                .findFirst()
                .orElseThrow();
    }

    private record Result(int exitCode, String output) {}

    private static Result run(Path dir, Map<String, String> env, String... command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "aws-", ".log");
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(List.of(command)))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        Map<String, String> environment = pb.environment();
        // Only the credentials given here: no profile, no instance metadata, no pager.
        environment.keySet().removeIf(k -> k.startsWith("AWS_"));
        environment.put("AWS_CONFIG_FILE", dir.resolve("no-config").toString());
        environment.put(
                "AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-credentials").toString());
        environment.put("AWS_EC2_METADATA_DISABLED", "true");
        environment.put("AWS_PAGER", "");
        environment.putAll(env);
        Process process = pb.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, "timed out: " + Files.readString(out));
        }
        return new Result(process.exitValue(), Files.readString(out));
    }
}
