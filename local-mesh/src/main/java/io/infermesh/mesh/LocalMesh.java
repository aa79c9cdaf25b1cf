package io.infermesh.mesh;

import io.infermesh.contracts.Topics;
import io.infermesh.gateway.GatewayServiceApplication;
import io.infermesh.identity.DemoAccounts;
import io.infermesh.identity.IdentityProvider;
import io.infermesh.ingest.IngestServiceApplication;
import io.infermesh.localinfra.LocalInfra;
import io.infermesh.localinfra.LocalPostgres;
import io.infermesh.localinfra.LocalS3;
import io.infermesh.router.RouterServiceApplication;
import io.infermesh.status.StatusServiceApplication;
import io.infermesh.worker.WorkerServiceApplication;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole mesh on one machine: a real Kafka broker (KRaft), a real S3 endpoint that publishes MinIO-format
 * notifications, a real PostgreSQL, a real OpenID Connect provider with demo accounts, the four services and the web
 * gateway, each as its own Spring application context in this JVM (one process starts faster and is easier to stop
 * than seven). Every service is a resource server of the provider; passwords, client secrets and the webhook token
 * are made fresh at each start and printed in the banner.
 */
public final class LocalMesh implements AutoCloseable {

    /** The bucket the quick start uses: uploads under {@code inbox/}, results under {@code results/}. */
    public static final String BUCKET = "infermesh";

    /**
     * Where the mesh listens and what it serves.
     *
     * @param infra ports and data folder of Kafka, S3 and PostgreSQL
     * @param statusPort status-service HTTP port (0 = any free port)
     * @param ingestPort ingest-service HTTP port
     * @param routerPort router-service HTTP port
     * @param workerPort worker-service HTTP port
     * @param gatewayPort gateway-service HTTP port (the web application)
     * @param identityPort the OpenID Connect provider's port
     * @param managementPorts actuator port of each service ({@code status-service}...; absent or 0 = any free port)
     * @param modelsDir the model catalogue folder
     * @param overrides per service name ({@code router-service}...), configuration properties set last
     */
    public record Settings(
            LocalInfra.Settings infra,
            int statusPort,
            int ingestPort,
            int routerPort,
            int workerPort,
            int gatewayPort,
            int identityPort,
            Map<String, Integer> managementPorts,
            Path modelsDir,
            Map<String, Map<String, Object>> overrides) {

        public Settings {
            overrides = overrides == null ? Map.of() : Map.copyOf(overrides);
            managementPorts = managementPorts == null ? Map.of() : Map.copyOf(managementPorts);
        }

        /** The same settings with one more property for one service, e.g. to point the router at an AWS endpoint. */
        public Settings with(String service, String key, Object value) {
            Map<String, Map<String, Object>> copy = new LinkedHashMap<>(overrides);
            Map<String, Object> forService = new LinkedHashMap<>(copy.getOrDefault(service, Map.of()));
            forService.put(key, value);
            copy.put(service, forService);
            return new Settings(
                    infra,
                    statusPort,
                    ingestPort,
                    routerPort,
                    workerPort,
                    gatewayPort,
                    identityPort,
                    managementPorts,
                    modelsDir,
                    copy);
        }

        /** Fixed, documented ports; environment variables override them (see the README). */
        public static Settings defaults() {
            LocalInfra.Settings infra = new LocalInfra.Settings(
                    env("KAFKA_PORT", 9092),
                    env("S3_PORT", 9000),
                    env("POSTGRES_PORT", 15432),
                    Path.of(System.getenv().getOrDefault("MESH_DATA_DIR", ".mesh/data")));
            Map<String, Integer> management = new LinkedHashMap<>();
            management.put("status-service", env("STATUS_MANAGEMENT_PORT", 18080));
            management.put("ingest-service", env("INGEST_MANAGEMENT_PORT", 18081));
            management.put("router-service", env("ROUTER_MANAGEMENT_PORT", 18082));
            management.put("worker-service", env("WORKER_MANAGEMENT_PORT", 18083));
            management.put("gateway-service", env("GATEWAY_MANAGEMENT_PORT", 18088));
            return new Settings(
                    infra,
                    env("STATUS_PORT", 8080),
                    env("INGEST_PORT", 8081),
                    env("ROUTER_PORT", 8082),
                    env("WORKER_PORT", 8083),
                    env("GATEWAY_PORT", 8088),
                    env("IDENTITY_PORT", 9090),
                    management,
                    Path.of(System.getenv().getOrDefault("INFERMESH_MODELS_DIR", "models")),
                    Map.of());
        }

        /** Random free ports and a temporary data folder, for tests. */
        public static Settings randomPorts(Path modelsDir) {
            return new Settings(LocalInfra.Settings.randomPorts(), 0, 0, 0, 0, 0, 0, Map.of(), modelsDir, Map.of());
        }

        private static int env(String name, int fallback) {
            String value = System.getenv(name);
            return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
        }
    }

    private final LocalInfra infra;
    private final Map<String, ConfigurableApplicationContext> services = new LinkedHashMap<>();
    private final Map<String, Integer> managementPorts = new LinkedHashMap<>();
    private final String webhookToken = DemoAccounts.generate().testClientSecret();
    private IdentityProvider identity;
    private volatile Path logFile;

    private LocalMesh(LocalInfra infra) {
        this.infra = infra;
    }

    /** Starts infrastructure, then the four services; stops what started if anything fails. */
    public static LocalMesh start(Settings settings) {
        LocalInfra infra = LocalInfra.create(settings.infra());
        LocalMesh mesh = new LocalMesh(infra);
        try {
            infra.startAll();
            infra.kafka()
                    .createTopics(
                            3,
                            Topics.STORAGE_EVENTS.name(),
                            Topics.JOBS_REQUESTED.name(),
                            Topics.JOBS_LIFECYCLE.name(),
                            Topics.JOBS_RESULTS.name());
            infra.s3().createBucket(BUCKET);
            mesh.identity = IdentityProvider.start(settings.identityPort());
            Map<String, Map<String, Object>> properties = serviceProperties(
                    settings,
                    infra.kafka().bootstrapServers(),
                    infra.s3(),
                    infra.postgres(),
                    mesh.identity,
                    mesh.webhookToken);
            Map<String, Object> status = properties.get("status-service");
            Map<String, Object> router = properties.get("router-service");
            Map<String, Object> worker = properties.get("worker-service");
            Map<String, Object> ingest = properties.get("ingest-service");
            Map<String, Object> gateway = properties.get("gateway-service");

            // Consumers downstream first, so nothing waits on a group join; contexts start side by side.
            List<CompletableFuture<Void>> starts = new ArrayList<>();
            status.putAll(settings.overrides().getOrDefault("status-service", Map.of()));
            router.putAll(settings.overrides().getOrDefault("router-service", Map.of()));
            worker.putAll(settings.overrides().getOrDefault("worker-service", Map.of()));
            ingest.putAll(settings.overrides().getOrDefault("ingest-service", Map.of()));
            starts.add(mesh.startService("status-service", StatusServiceApplication::builder, status, settings));
            starts.add(mesh.startService("router-service", RouterServiceApplication::builder, router, settings));
            starts.add(mesh.startService("worker-service", WorkerServiceApplication::builder, worker, settings));
            starts.add(mesh.startService("ingest-service", IngestServiceApplication::builder, ingest, settings));
            CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).join();
            // the gateway calls status-service, so it learns its address once that has started
            gateway.put("infermesh.gateway.status-url", mesh.url("status-service"));
            gateway.putAll(settings.overrides().getOrDefault("gateway-service", Map.of()));
            mesh.startService("gateway-service", GatewayServiceApplication::builder, gateway, settings)
                    .join();
            return mesh;
        } catch (RuntimeException e) {
            mesh.close();
            throw e;
        }
    }

    /**
     * What each service is given, by service name ({@code status-service}...): the same properties whether it runs as
     * a context in this JVM or as its own process ({@link ProcessMesh}); without ports of its own, overrides or the
     * gateway's status URL, which the caller adds.
     */
    static Map<String, Map<String, Object>> serviceProperties(
            Settings settings,
            String kafka,
            LocalS3 s3,
            LocalPostgres postgres,
            IdentityProvider identity,
            String webhookToken) {
        Map<String, Object> common = new LinkedHashMap<>();
        common.put("spring.cloud.stream.kafka.binder.brokers", kafka);
        common.put("spring.main.banner-mode", "off");
        // one logging system serves all contexts: an application name in each line would be the first one's
        common.put("logging.include-application-name", false);
        // every service is a resource server of the one provider; nothing listens beyond this machine
        common.put("spring.security.oauth2.resourceserver.jwt.issuer-uri", identity.issuer());
        common.put("server.address", "127.0.0.1");
        common.put("management.server.address", "127.0.0.1");
        String models = settings.modelsDir().toAbsolutePath().normalize().toString();

        Map<String, Object> status = new LinkedHashMap<>(common);
        status.put("server.port", settings.statusPort());
        status.put("spring.datasource.url", postgres.jdbcUrl());
        status.put("spring.datasource.username", postgres.username());
        status.put("spring.datasource.password", postgres.password());
        status.put("infermesh.status.models-dir", models);

        Map<String, Object> router = new LinkedHashMap<>(common);
        router.put("server.port", settings.routerPort());
        router.put("infermesh.router.models-dir", models);

        Map<String, Object> worker = new LinkedHashMap<>(common);
        worker.put("server.port", settings.workerPort());
        worker.put("infermesh.worker.models-dir", models);
        worker.put("infermesh.worker.s3.endpoint", s3.endpoint().toString());
        worker.put("infermesh.worker.s3.access-key", s3.accessKey());
        worker.put("infermesh.worker.s3.secret-key", s3.secretKey());
        worker.put("infermesh.worker.s3.region", s3.region());
        worker.put("infermesh.worker.s3.path-style", true);

        Map<String, Object> ingest = new LinkedHashMap<>(common);
        ingest.put("server.port", settings.ingestPort());
        ingest.put("infermesh.ingest.webhook.token", webhookToken);

        Map<String, Object> gateway = new LinkedHashMap<>(common);
        gateway.put("server.port", settings.gatewayPort());
        gateway.put("spring.security.oauth2.client.provider.infermesh.issuer-uri", identity.issuer());
        gateway.put("spring.security.oauth2.client.registration.infermesh.client-id", DemoAccounts.GATEWAY_CLIENT);
        gateway.put(
                "spring.security.oauth2.client.registration.infermesh.client-secret",
                identity.accounts().gatewaySecret());
        gateway.put("infermesh.gateway.bucket", BUCKET);
        gateway.put("infermesh.gateway.models-dir", models);
        gateway.put("infermesh.gateway.s3.endpoint", s3.endpoint().toString());
        gateway.put("infermesh.gateway.s3.access-key", s3.accessKey());
        gateway.put("infermesh.gateway.s3.secret-key", s3.secretKey());
        gateway.put("infermesh.gateway.s3.region", s3.region());
        gateway.put("infermesh.gateway.s3.path-style", true);

        Map<String, Map<String, Object>> all = new LinkedHashMap<>();
        all.put("status-service", status);
        all.put("router-service", router);
        all.put("worker-service", worker);
        all.put("ingest-service", ingest);
        all.put("gateway-service", gateway);
        return all;
    }

    private CompletableFuture<Void> startService(
            String name,
            Supplier<SpringApplicationBuilder> builder,
            Map<String, Object> properties,
            Settings settings) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("management.server.port", settings.managementPorts().getOrDefault(name, 0));
        all.putAll(properties);
        // As command-line arguments: they outrank the service's own yml defaults.
        String[] args = all.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        // the actuator's own server (child context) announces its port here
        ApplicationListener<WebServerInitializedEvent> management = event -> {
            if ("management".equals(event.getApplicationContext().getServerNamespace())) {
                synchronized (managementPorts) {
                    managementPorts.put(name, event.getWebServer().getPort());
                }
            }
        };
        return CompletableFuture.runAsync(() -> {
            ConfigurableApplicationContext context = builder.get()
                    .registerShutdownHook(false)
                    .listeners(management)
                    .run(args);
            synchronized (services) {
                services.put(name, context);
            }
        });
    }

    public LocalInfra infra() {
        return infra;
    }

    /** The mesh's OpenID Connect provider, with its demo accounts. */
    public IdentityProvider identity() {
        return identity;
    }

    /** The bearer token ingest-service's MinIO webhook accepts (fresh at each start). */
    public String webhookToken() {
        return webhookToken;
    }

    /** The base URL of a service's actuator server, e.g. {@code http://127.0.0.1:18080} for status-service. */
    public String managementUrl(String service) {
        Integer port;
        synchronized (managementPorts) {
            port = managementPorts.get(service);
        }
        if (port == null) {
            throw new IllegalArgumentException("no management server of a service named " + service);
        }
        return "http://127.0.0.1:" + port;
    }

    /** The base URL of a service's HTTP server, e.g. {@code http://127.0.0.1:8080} for status-service. */
    public String url(String service) {
        ConfigurableApplicationContext context;
        synchronized (services) {
            context = services.get(service);
        }
        if (!(context instanceof WebServerApplicationContext web)) {
            throw new IllegalArgumentException("no running service named " + service);
        }
        return "http://127.0.0.1:" + web.getWebServer().getPort();
    }

    @Override
    public void close() {
        List<ConfigurableApplicationContext> running;
        synchronized (services) {
            running = new ArrayList<>(services.values());
            services.clear();
        }
        // ingest first (no new jobs), status last (it records the final events)
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (RuntimeException e) {
                System.err.println("could not stop a service cleanly: " + e);
            }
        }
        if (identity != null) {
            identity.close();
        }
        infra.close();
    }

    /**
     * Sends the mesh's logging to a file (INFO) and only warnings to the console, unless {@code INFERMESH_VERBOSE=true}:
     * thousands of start-up lines would bury the banner. Must run before the first logger is made. The previous run's
     * log is kept as {@code mesh.log.1}.
     */
    static Path logToFile() {
        return logToFile(Path.of(System.getenv().getOrDefault("MESH_LOG_FILE", ".mesh/logs/mesh.log")));
    }

    /**
     * The same for another launcher of the mesh's parts (the fault harness): INFO to {@code logFile}, warnings to
     * the console.
     */
    public static Path logToFile(Path logFile) {
        Path file = logFile.toAbsolutePath().normalize();
        try {
            Files.createDirectories(file.getParent());
            if (Files.exists(file)) {
                Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.err.println("infermesh: cannot prepare the log file " + file + " (" + e + "); logging there anyway");
        }
        boolean verbose = Boolean.parseBoolean(System.getenv("INFERMESH_VERBOSE"));
        System.setProperty("infermesh.mesh.log-file", file.toString());
        System.setProperty("infermesh.mesh.console-level", verbose ? "INFO" : "WARN");
        // Logback reads its own property for what is logged before the first service starts; Spring Boot then
        // reloads the same file through logging.config (and warns if Logback's property is still set)
        System.setProperty("logback.configurationFile", "logback-mesh.xml");
        LoggerFactory.getILoggerFactory();
        System.clearProperty("logback.configurationFile");
        System.setProperty("logging.config", "classpath:logback-mesh.xml");
        return file;
    }

    /**
     * Starts the mesh in this JVM, or with {@code --processes} (or {@code MESH_PROCESSES=true}) each service instance
     * as its own JVM ({@link ProcessMesh}).
     */
    public static void main(String[] args) throws InterruptedException {
        if (List.of(args).contains("--processes") || Boolean.parseBoolean(System.getenv("MESH_PROCESSES"))) {
            ProcessMesh.main(args);
            return;
        }
        Path logFile = logToFile();
        Settings settings = Settings.defaults();
        LocalMesh mesh;
        try {
            mesh = start(settings);
        } catch (RuntimeException e) {
            // the useful sentence is somewhere down the cause chain (e.g. "Port 8080 is already in use")
            var reasons = new LinkedHashSet<String>();
            for (Throwable t = e; t != null && reasons.size() < 6; t = t.getCause() == t ? null : t.getCause()) {
                if (t.getMessage() != null && !(t instanceof CompletionException)) {
                    reasons.add(t.getMessage());
                }
            }
            System.err.printf(
                    "%ninfermesh: the local mesh could not start: %s%n"
                            + "infermesh: ports can be changed with KAFKA_PORT, S3_PORT, POSTGRES_PORT, IDENTITY_PORT, GATEWAY_PORT,"
                            + " STATUS_PORT, INGEST_PORT, ROUTER_PORT, WORKER_PORT and <SERVICE>_MANAGEMENT_PORT (see README.md);"
                            + " everything that had started was stopped.%n",
                    String.join(" <- ", reasons));
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.out.println("\ninfermesh: stopping...");
                            mesh.close();
                            System.out.println("infermesh: stopped");
                            stopped.countDown();
                        },
                        "infermesh-shutdown"));
        Duration ready = Duration.ofMillis(System.currentTimeMillis()
                - ManagementFactory.getRuntimeMXBean().getStartTime());
        mesh.logFile = logFile;
        System.out.println(mesh.banner(settings, ready));
        stopped.await();
    }

    /** What a person needs once the mesh is ready: addresses, fresh secrets, and commands that use this run's ports. */
    String banner(Settings settings, Duration ready) {
        var s3 = infra.s3();
        DemoAccounts accounts = identity.accounts();
        String issuer = identity.issuer();
        String status = url("status-service");
        String aws = "AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_DEFAULT_REGION=%s aws --endpoint-url %s"
                .formatted(s3.accessKey(), s3.secretKey(), s3.region(), s3.endpoint());
        return """

                ==================================================================================
                 infermesh local mesh is ready (%.1f s after JVM start). Ctrl-C stops everything.
                ----------------------------------------------------------------------------------
                 Web gateway       %s
                   log in as       alice / %s    bob / %s    operator / %s
                 OIDC provider     %s   (machine client %s, secret %s)
                ----------------------------------------------------------------------------------
                 Kafka (KRaft)     %s
                 S3 endpoint       %s   bucket '%s'   key %s / secret %s
                 PostgreSQL        %s   (user %s)
                 status-service    %s/api/jobs      actuator %s/actuator
                 ingest-service    actuator %s/actuator   webhook token %s
                 router-service    actuator %s/actuator
                 worker-service    %s/v2            actuator %s/actuator
                 models            %s
                 log               %s
                ----------------------------------------------------------------------------------
                 Try (these use this run's ports and secrets):
                   %s \\
                     s3 cp models/digits/samples/digit-3.png s3://%s/inbox/digits/alice/digit-3.png
                   TOKEN=$(curl -s -u %s:%s -d grant_type=client_credentials \\
                     %s/oauth2/token | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')
                   curl -s -H "Authorization: Bearer $TOKEN" '%s/api/jobs?owner=alice'
                   curl -sN -H "Authorization: Bearer $TOKEN" '%s/api/jobs/stream?owner=alice'
                   %s \\
                     s3 cp s3://%s/results/digits/alice/<jobId>/result.json -
                   kcat -b %s -C -t %s
                ==================================================================================
                """.formatted(
                        ready.toMillis() / 1000.0,
                        url("gateway-service"),
                        accounts.password("alice"),
                        accounts.password("bob"),
                        accounts.password("operator"),
                        issuer,
                        DemoAccounts.OPERATOR_CLIENT,
                        accounts.operatorClientSecret(),
                        infra.kafka().bootstrapServers(),
                        s3.endpoint(),
                        BUCKET,
                        s3.accessKey(),
                        s3.secretKey(),
                        infra.postgres().jdbcUrl(),
                        infra.postgres().username(),
                        status,
                        managementUrl("status-service"),
                        managementUrl("ingest-service"),
                        webhookToken,
                        managementUrl("router-service"),
                        url("worker-service"),
                        managementUrl("worker-service"),
                        settings.modelsDir().toAbsolutePath().normalize(),
                        logFile == null
                                ? "this process's logging"
                                : logFile + "   (INFERMESH_VERBOSE=true: INFO on the console)",
                        aws,
                        BUCKET,
                        DemoAccounts.OPERATOR_CLIENT,
                        accounts.operatorClientSecret(),
                        issuer,
                        status,
                        status,
                        aws,
                        BUCKET,
                        infra.kafka().bootstrapServers(),
                        Topics.JOBS_RESULTS.name());
    }
}
