package io.infermesh.worker;

import static org.awaitility.Awaitility.await;

import io.infermesh.contracts.JobDispatched;
import io.infermesh.contracts.ObjectRef;
import io.infermesh.contracts.Topics;
import io.infermesh.localinfra.LocalInfraExtension;
import io.infermesh.localinfra.WithLocalInfra;
import io.infermesh.worker.pool.Pools;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A worker instance killed with {@code kill -9} while it holds dispatches (issue 17 item 4): its partitions, the
 * jobs it had taken and the ones that arrive after, are run by the instance that is left within seconds — the
 * group's session timeout the workers set (6 s), not Kafka's default 45 s.
 */
@WithLocalInfra
class WorkerCrashRecoveryIntegrationTests {

    static final String BUCKET = "crash-tests";
    static final String TOPIC = Topics.dispatch("digits").name();
    S3Client s3;
    ConfigurableApplicationContext survivor;
    Process frozen;
    final List<String> frozenSaid = new CopyOnWriteArrayList<>();

    @BeforeEach
    void bucket() {
        LocalInfraExtension.infra().s3().createBucket(BUCKET);
        s3 = WorkerKafka.s3();
    }

    @AfterEach
    void stop() {
        if (frozen != null) {
            frozen.destroyForcibly();
        }
        if (survivor != null) {
            survivor.close();
        }
        s3.close();
    }

    @Test
    void theJobsOfAKilledWorkerAreRunByTheOtherInstanceWithinSeconds(@TempDir Path dir) throws Exception {
        survivor = startWorker();
        Pools pools = survivor.getBean(Pools.class);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> pools.status().stream().anyMatch(p -> p.model().equals("digits") && p.workers() == 1));
        await().atMost(Duration.ofSeconds(30)).until(() -> "6000".equals(groupConfig("consumer.session.timeout.ms")));

        Set<Integer> held = startFrozenWorker(dir);
        List<JobDispatched> jobs = new ArrayList<>();
        for (int partition : held) {
            jobs.add(WorkerKafka.dispatch("digits", "alice", digit(), jobIdOn(partition)));
        }
        await("the frozen worker took the dispatches of its partitions")
                .atMost(Duration.ofSeconds(30))
                .until(() -> frozenSaid.contains("POLLED " + jobs.size()));

        frozen.destroyForcibly().waitFor(); // SIGKILL: no leave-group, no commit
        for (int partition : held) {
            jobs.add(WorkerKafka.dispatch("digits", "alice", digit(), jobIdOn(partition)));
        }

        // 6 s for the group to fence the dead member, then the survivor's next heartbeat takes its partitions
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> jobs.stream().allMatch(job -> succeeded(job.jobId())));
    }

    private ConfigurableApplicationContext startWorker() {
        List<String> args = new ArrayList<>(List.of(WorkerKafka.properties(BUCKET)));
        args.addAll(List.of("server.port=0", "infermesh.worker.models=digits", "infermesh.worker.pool.min-workers=1"));
        return WorkerServiceApplication.builder()
                .run(args.stream().map(a -> "--" + a).toArray(String[]::new));
    }

    /** Starts {@link FrozenWorkerProcess} and waits until the group has given it at least one partition. */
    private Set<Integer> startFrozenWorker(Path dir) throws Exception {
        Path argfile = dir.resolve("frozen-worker.args");
        // an @argfile: the test classpath is too long for some command lines
        Files.writeString(
                argfile,
                "-cp \"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n"
                        + FrozenWorkerProcess.class.getName() + " " + kafka() + " " + Pools.GROUP + " " + TOPIC + "\n");
        String java = ProcessHandle.current().info().command().orElse("java");
        frozen = new ProcessBuilder(java, "@" + argfile)
                .redirectErrorStream(true)
                .start();
        Thread reader = new Thread(
                () -> {
                    try (var lines = new BufferedReader(
                            new InputStreamReader(frozen.getInputStream(), StandardCharsets.UTF_8))) {
                        lines.lines().forEach(frozenSaid::add);
                    } catch (Exception e) {
                        // the process was killed
                    }
                },
                "frozen-worker-output");
        reader.setDaemon(true);
        reader.start();
        await("the frozen worker was given a partition")
                .atMost(Duration.ofSeconds(30))
                .until(() -> !assigned().isEmpty());
        return assigned();
    }

    private Set<Integer> assigned() {
        return frozenSaid.stream()
                .filter(l -> l.startsWith("ASSIGNED ") && l.length() > 9)
                .reduce((a, b) -> b)
                .map(l -> Arrays.stream(l.substring(9).split(","))
                        .map(Integer::valueOf)
                        .collect(Collectors.toSet()))
                .orElse(Set.of());
    }

    /** A job id whose dispatch lands on {@code partition} (the producer's default partitioner: murmur2 of the key). */
    private static String jobIdOn(int partition) {
        while (true) {
            String id = "job-" + UUID.randomUUID();
            if (Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % 3 == partition) {
                return id;
            }
        }
    }

    private boolean succeeded(String jobId) {
        return WorkerKafka.recordsNow(Topics.JOBS_LIFECYCLE.name(), jobId).stream()
                .anyMatch(r -> r.value().contains("\"SUCCEEDED\""));
    }

    private ObjectRef digit() throws Exception {
        byte[] bytes = Files.readAllBytes(Path.of("../models/digits/samples/digit-3.png"));
        String key = "inbox/digits/alice/" + UUID.randomUUID() + ".png";
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(bytes));
        return new ObjectRef(BUCKET, key, null, null, (long) bytes.length, null);
    }

    private static String groupConfig(String name) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka()))) {
            ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, Pools.GROUP);
            var entry =
                    admin.describeConfigs(List.of(group)).all().get().get(group).get(name);
            return entry == null ? null : entry.value();
        }
    }

    private static String kafka() {
        return LocalInfraExtension.infra().kafka().bootstrapServers();
    }
}
