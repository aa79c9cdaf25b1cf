package io.infermesh.mesh;

import io.infermesh.contracts.Topics;
import io.infermesh.identity.DemoAccounts;
import io.infermesh.identity.IdentityProvider;
import io.infermesh.localinfra.LocalKafka;
import io.infermesh.localinfra.LocalPostgres;
import io.infermesh.localinfra.LocalS3;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.zip.ZipFile;
import org.snakeyaml.engine.v2.api.LoadSettings;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The mesh with each service instance as its own JVM (issue 12 item 2): Kafka, S3, PostgreSQL and the OpenID Connect
 * provider run in this process, exactly as in {@link LocalMesh}; status, ingest, the routers, the workers and the
 * gateway each run from their exec jar ({@code <module>/target/<module>-<version>-exec.jar}) with the properties the
 * one-JVM mesh gives their contexts, so single instances can be killed, restarted and run twice. An instance that
 * exits is reported on the {@code reports} consumer (the console, when started from {@link #main}). The fault
 * harness drives faults through {@link #kill}, {@link #restart} and the {@code stop}/{@code start} methods of the
 * infrastructure.
 */
public final class ProcessMesh implements AutoCloseable {

    /** The services in start order: consumers downstream first, the gateway last (it needs status's address). */
    static final List<String> SERVICES =
            List.of("status-service", "router-service", "worker-service", "ingest-service", "gateway-service");

    /**
     * How the mesh is laid out.
     *
     * @param ports ports, models folder and per-service overrides as for {@link LocalMesh}; an instance after the
     *     first of a service listens 10 above the one before (router 8082, 8092; actuator 18082, 18092), and 0 stays
     *     "any free port"
     * @param routers router-service instances
     * @param workers worker-service instances
     * @param gateway whether to start the gateway
     * @param projectDir the folder whose {@code <module>/target} holds the exec jars
     * @param logDir where each instance writes {@code <instance>.log} and the infrastructure its own log
     * @param jvmOptions options for every service JVM (before {@code -jar})
     * @param readyTimeout how long an instance may take to report healthy
     */
    public record Settings(
            LocalMesh.Settings ports,
            int routers,
            int workers,
            boolean gateway,
            Path projectDir,
            Path logDir,
            List<String> jvmOptions,
            Duration readyTimeout) {

        public Settings {
            jvmOptions = List.copyOf(jvmOptions);
            if (routers < 1 || workers < 1) {
                throw new IllegalArgumentException(
                        "at least one router and one worker, not " + routers + " and " + workers);
            }
        }

        /** The documented ports (environment variables override them), 2 routers and 2 workers, the gateway. */
        public static Settings defaults() {
            return new Settings(
                    LocalMesh.Settings.defaults(),
                    env("MESH_ROUTERS", 2),
                    env("MESH_WORKERS", 2),
                    true,
                    Path.of("").toAbsolutePath(),
                    Path.of(System.getenv().getOrDefault("MESH_LOG_DIR", ".mesh/logs")),
                    defaultJvmOptions(),
                    Duration.ofMinutes(4));
        }

        /** Random free ports and a temporary data folder (kept until close), for tests and the fault harness. */
        public static Settings randomPorts(Path projectDir, Path logDir, int routers, int workers) {
            return new Settings(
                    LocalMesh.Settings.randomPorts(projectDir.resolve("models")),
                    routers,
                    workers,
                    false,
                    projectDir,
                    logDir,
                    defaultJvmOptions(),
                    Duration.ofMinutes(4));
        }

        /** The same settings with one more property for one service (every instance of it). */
        public Settings with(String service, String key, Object value) {
            return new Settings(
                    ports.with(service, key, value),
                    routers,
                    workers,
                    gateway,
                    projectDir,
                    logDir,
                    jvmOptions,
                    readyTimeout);
        }

        /**
         * ONNX Runtime needs native access (ADR 0006); a small heap and the serial collector because seven JVMs share
         * one machine; {@code MESH_JVM_OPTS} adds more.
         */
        static List<String> defaultJvmOptions() {
            List<String> options = new ArrayList<>(List.of(
                    "--enable-native-access=ALL-UNNAMED",
                    "-Xmx512m",
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-Xshare:auto"));
            String extra = System.getenv("MESH_JVM_OPTS");
            if (extra != null && !extra.isBlank()) {
                options.addAll(List.of(extra.trim().split("\\s+")));
            }
            return options;
        }

        private static int env(String name, int fallback) {
            String value = System.getenv(name);
            return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
        }
    }

    private final Settings settings;
    private final Path dataDir;
    private final boolean temporaryData;
    private final Consumer<String> reports;
    private final String webhookToken = DemoAccounts.generate().testClientSecret();
    private final Map<String, ServiceProcess> instances = new LinkedHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Map<String, Path> jars = new LinkedHashMap<>();
    private volatile LocalKafka kafka;
    private volatile LocalS3 s3;
    private volatile LocalPostgres postgres;
    private int kafkaPort;
    private int s3Port;
    private int postgresPort;
    private IdentityProvider identity;

    private ProcessMesh(Settings settings, Path dataDir, boolean temporaryData, Consumer<String> reports) {
        this.settings = settings;
        this.dataDir = dataDir;
        this.temporaryData = temporaryData;
        this.reports = reports;
    }

    /**
     * Starts the infrastructure here, then every service instance as its own process, and returns once each reports
     * healthy; stops what started if anything fails.
     */
    public static ProcessMesh start(Settings settings, Consumer<String> reports) {
        ProcessMesh mesh = create(settings, reports);
        mesh.startAll();
        return mesh;
    }

    /** A mesh not started yet, so that a launcher can register its shutdown hook first. */
    static ProcessMesh create(Settings settings, Consumer<String> reports) {
        Path base = settings.ports().infra().baseDir();
        boolean temporary = base == null;
        Path dataDir;
        try {
            dataDir = temporary ? Files.createTempDirectory("infermesh-process-mesh-") : base;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ProcessMesh(settings, dataDir, temporary, reports);
    }

    private void startAll() {
        try {
            startInfrastructure();
            startServices();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void startInfrastructure() {
        var infra = settings.ports().infra();
        kafka = LocalKafka.start(infra.kafkaPort(), dataDir.resolve("kafka"));
        kafkaPort = kafka.port();
        kafka.createTopics(
                3,
                Topics.STORAGE_EVENTS.name(),
                Topics.JOBS_REQUESTED.name(),
                Topics.JOBS_LIFECYCLE.name(),
                Topics.JOBS_RESULTS.name());
        s3 = LocalS3.start(infra.s3Port(), dataDir.resolve("s3"), kafka.bootstrapServers());
        s3Port = s3.port();
        s3.createBucket(LocalMesh.BUCKET);
        postgres = LocalPostgres.start(infra.postgresPort(), dataDir.resolve("postgres"));
        postgresPort = postgres.port();
        identity = IdentityProvider.start(settings.ports().identityPort());
    }

    private void startServices() {
        LocalMesh.Settings ports = settings.ports();
        Map<String, Map<String, Object>> properties =
                LocalMesh.serviceProperties(ports, kafka.bootstrapServers(), s3, postgres, identity, webhookToken);
        Map<String, Integer> httpPorts = Map.of(
                "status-service", ports.statusPort(),
                "router-service", ports.routerPort(),
                "worker-service", ports.workerPort(),
                "ingest-service", ports.ingestPort(),
                "gateway-service", ports.gatewayPort());
        List<ServiceProcess> first = new ArrayList<>();
        for (String service : SERVICES.subList(0, 4)) {
            int count = switch (service) {
                case "router-service" -> settings.routers();
                case "worker-service" -> settings.workers();
                default -> 1;
            };
            Map<String, Object> forService = new LinkedHashMap<>(properties.get(service));
            forService.putAll(ports.overrides().getOrDefault(service, Map.of()));
            for (int i = 1; i <= count; i++) {
                first.add(add(service, i, forService, httpPorts.get(service)));
            }
        }
        for (ServiceProcess process : first) {
            if (closed.get()) {
                throw new IllegalStateException("the mesh was stopped while starting");
            }
            process.start();
        }
        awaitReady(first);
        if (settings.gateway()) {
            Map<String, Object> gateway = new LinkedHashMap<>(properties.get("gateway-service"));
            gateway.put("infermesh.gateway.status-url", url("status-service"));
            gateway.putAll(ports.overrides().getOrDefault("gateway-service", Map.of()));
            ServiceProcess process = add("gateway-service", 1, gateway, ports.gatewayPort());
            process.start();
            awaitReady(List.of(process));
        }
    }

    private ServiceProcess add(String service, int index, Map<String, Object> properties, int basePort) {
        // routers and workers are numbered even when alone, so a name means the same with any count
        String name =
                service.equals("router-service") || service.equals("worker-service") ? service + "-" + index : service;
        int step = 10 * (index - 1);
        int port = basePort == 0 ? freePort() : basePort + step;
        int management = settings.ports().managementPorts().getOrDefault(service, 0);
        management = management == 0 ? freePort() : management + step;
        Path jar = jars.computeIfAbsent(service, this::snapshot);
        ServiceProcess process = new ServiceProcess(
                name,
                jar,
                settings.jvmOptions(),
                missingLibraries(jar),
                properties,
                port,
                management,
                settings.logDir().toAbsolutePath().resolve(name + ".log"),
                reports);
        synchronized (instances) {
            instances.put(name, process);
        }
        return process;
    }

    /**
     * A copy of the service's exec jar in this mesh's data folder: a build that rewrites the jar in
     * {@code target/} while the mesh runs (other work on the same checkout) must not break a start or a restart.
     */
    private Path snapshot(String service) {
        Path source = execJar(settings.projectDir(), service);
        try {
            Path copy = Files.createDirectories(dataDir.resolve("jars")).resolve(source.getFileName());
            Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + source + " into " + dataDir, e);
        }
    }

    /** Waits until every one is healthy; fails as soon as one fails (e.g. it exited while starting). */
    private void awaitReady(List<ServiceProcess> processes) {
        CompletableFuture<Void> failed = new CompletableFuture<>();
        CompletableFuture<?>[] ready = processes.stream()
                .map(p -> CompletableFuture.runAsync(() -> p.awaitReady(settings.readyTimeout()))
                        .whenComplete((ok, e) -> {
                            if (e != null) {
                                failed.completeExceptionally(e);
                            }
                        }))
                .toArray(CompletableFuture[]::new);
        CompletableFuture.anyOf(CompletableFuture.allOf(ready), failed).join();
    }

    /**
     * Libraries an exec jar needs but lacks: status-service's jars built before 2a62ffb left out {@code
     * jackson-dataformat-yaml} (and snakeyaml-engine), which contracts' {@code ModelCatalogue} needs at run time (its
     * pom declared it with test scope), and fail alone with {@code NoClassDefFoundError: YAMLMapper}. For such a jar
     * the same versions are given from this process's classpath; a current jar has them and gets nothing.
     */
    static List<Path> missingLibraries(Path jar) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            boolean hasYaml =
                    zip.stream().anyMatch(e -> e.getName().startsWith("BOOT-INF/lib/jackson-dataformat-yaml-"));
            if (hasYaml) {
                return List.of();
            }
            return List.of(codeSource(YAMLMapper.class), codeSource(LoadSettings.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar, e);
        }
    }

    private static Path codeSource(Class<?> type) {
        try {
            return Path.of(
                    type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code <projectDir>/<module>/target/<module>-*-exec.jar}, or a sentence saying how to build it. */
    static Path execJar(Path projectDir, String module) {
        Path target = projectDir.resolve(module).resolve("target");
        if (Files.isDirectory(target)) {
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, module + "-*-exec.jar")) {
                for (Path jar : jars) {
                    return jar.toAbsolutePath();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no exec jar of " + module + " in " + target + ": build it first with"
                + " ./mvnw -q -DskipTests -pl local-mesh -am install");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The instances' names, in start order: {@code status-service}, {@code router-service-1}... */
    public List<String> instances() {
        synchronized (instances) {
            return List.copyOf(instances.keySet());
        }
    }

    private ServiceProcess instance(String name) {
        ServiceProcess process;
        synchronized (instances) {
            process = instances.get(name);
        }
        if (process == null) {
            throw new IllegalArgumentException("no instance named " + name + "; there are " + instances());
        }
        return process;
    }

    /** {@code kill -9} of one instance; returns when it has ended. */
    public void kill(String instance) {
        instance(instance).kill();
    }

    /** Starts a stopped or killed instance again, with the same ports and properties, and waits until it is healthy. */
    public void restart(String instance) {
        ServiceProcess process = instance(instance);
        process.start();
        process.awaitReady(settings.readyTimeout());
    }

    /** The process id of an instance (-1 when it is not running). */
    public long pid(String instance) {
        return instance(instance).pid();
    }

    /** Stops the broker (as a crash would: clients see connections refused); its log stays for {@link #startKafka}. */
    public void stopKafka() {
        kafka.close();
    }

    /** Starts the broker again on the same port and data. */
    public void startKafka() {
        kafka = LocalKafka.start(kafkaPort, dataDir.resolve("kafka"));
    }

    /** Stops the S3 endpoint; its objects stay for {@link #startS3}. */
    public void stopS3() {
        s3.close();
    }

    /** Starts the S3 endpoint again on the same port and data. */
    public void startS3() {
        s3 = LocalS3.start(s3Port, dataDir.resolve("s3"), kafka.bootstrapServers());
    }

    /** Stops PostgreSQL ({@code pg_ctl stop -m fast}); its data stays for {@link #startPostgres}. */
    public void stopPostgres() {
        postgres.close();
    }

    /** Starts PostgreSQL again on the same port and data. */
    public void startPostgres() {
        postgres = LocalPostgres.start(postgresPort, dataDir.resolve("postgres"));
    }

    public String kafkaBootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    public String s3Endpoint() {
        return "http://127.0.0.1:" + s3Port;
    }

    public String s3AccessKey() {
        return LocalS3.DEFAULT_ACCESS_KEY;
    }

    public String s3SecretKey() {
        return LocalS3.DEFAULT_SECRET_KEY;
    }

    public IdentityProvider identity() {
        return identity;
    }

    /** The base URL of an instance's HTTP server, e.g. {@code http://127.0.0.1:8080} for status-service. */
    public String url(String instance) {
        return "http://127.0.0.1:" + instance(instance).port();
    }

    /** The base URL of an instance's actuator server. */
    public String managementUrl(String instance) {
        return "http://127.0.0.1:" + instance(instance).managementPort();
    }

    /** An instance's log file. */
    public Path log(String instance) {
        return instance(instance).log();
    }

    /** Stops every instance (SIGTERM, ingest first, status last), then the provider, S3, Kafka and PostgreSQL. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<ServiceProcess> running;
        synchronized (instances) {
            running = new ArrayList<>(instances.values());
        }
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).stop(Duration.ofSeconds(20));
        }
        if (identity != null) {
            identity.close();
        }
        closeQuietly(s3);
        closeQuietly(kafka);
        closeQuietly(postgres);
        if (temporaryData) {
            deleteQuietly(dataDir);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            System.err.println("infermesh: could not stop " + closeable + " cleanly: " + e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("infermesh: could not delete " + dir + ": " + e);
        }
    }

    /** What a person needs once the mesh is ready: every instance with its pid, ports and log, and the secrets. */
    String banner(Duration ready) {
        DemoAccounts accounts = identity.accounts();
        StringBuilder table = new StringBuilder();
        for (String name : instances()) {
            ServiceProcess p = instance(name);
            table.append(" %-18s pid %-8d http %-24s actuator %s/actuator%n"
                    .formatted(name, p.pid(), url(name), managementUrl(name)));
        }
        return """

                ==================================================================================
                 infermesh local mesh is ready, one JVM per service (%.1f s). Ctrl-C stops everything.
                ----------------------------------------------------------------------------------
                 OIDC provider     %s   (machine client %s, secret %s)
                   log in as       alice / %s    bob / %s    operator / %s
                 Kafka (KRaft)     %s
                 S3 endpoint       %s   bucket '%s'   key %s / secret %s
                 PostgreSQL        %s   (user %s)
                 ingest webhook    token %s
                ----------------------------------------------------------------------------------
                %s ----------------------------------------------------------------------------------
                 logs              %s/<instance>.log; this process (infrastructure): %s
                 A service instance that exits is reported here; kill -9 <pid> to try it.
                ==================================================================================
                """.formatted(
                        ready.toMillis() / 1000.0,
                        identity.issuer(),
                        DemoAccounts.OPERATOR_CLIENT,
                        accounts.operatorClientSecret(),
                        accounts.password("alice"),
                        accounts.password("bob"),
                        accounts.password("operator"),
                        kafkaBootstrapServers(),
                        s3Endpoint(),
                        LocalMesh.BUCKET,
                        s3AccessKey(),
                        s3SecretKey(),
                        postgres.jdbcUrl(),
                        postgres.username(),
                        webhookToken,
                        table,
                        settings.logDir().toAbsolutePath().normalize(),
                        System.getProperty("infermesh.mesh.log-file", "this process's logging"));
    }

    /** The mesh as processes, from the command line ({@code LocalMesh --processes}). */
    public static void main(String[] args) throws InterruptedException {
        LocalMesh.logToFile();
        long started = System.nanoTime();
        Settings settings = Settings.defaults();
        ProcessMesh mesh = create(settings, System.out::println);
        CountDownLatch stopped = new CountDownLatch(1);
        // before anything starts: Ctrl-C while the instances start must stop those already running too
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.out.println("\ninfermesh: stopping...");
                            mesh.close();
                            System.out.println("infermesh: stopped");
                            stopped.countDown();
                        },
                        "infermesh-shutdown"));
        try {
            mesh.startAll();
        } catch (RuntimeException e) {
            System.err.printf(
                    "%ninfermesh: the local mesh (processes) could not start: %s%n"
                            + "infermesh: everything that had started was stopped.%n",
                    e.getMessage());
            System.exit(1);
            return;
        }
        System.out.println(mesh.banner(Duration.ofNanos(System.nanoTime() - started)));
        stopped.await();
    }
}
