package io.infermesh.mesh;

import io.infermesh.contracts.Topics;
import io.infermesh.ingest.IngestServiceApplication;
import io.infermesh.localinfra.LocalInfra;
import io.infermesh.router.RouterServiceApplication;
import io.infermesh.status.StatusServiceApplication;
import io.infermesh.worker.WorkerServiceApplication;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole mesh on one machine: a real Kafka broker (KRaft), a real S3 endpoint that publishes MinIO-format
 * notifications, a real PostgreSQL, and the four services, each as its own Spring application context in this JVM
 * (one process starts faster and is easier to stop than five).
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
     * @param modelsDir the model catalogue folder
     * @param overrides per service name ({@code router-service}...), configuration properties set last
     */
    public record Settings(LocalInfra.Settings infra, int statusPort, int ingestPort, int routerPort, int workerPort,
            Path modelsDir, Map<String, Map<String, Object>> overrides) {

        public Settings {
            overrides = overrides == null ? Map.of() : Map.copyOf(overrides);
        }

        /** The same settings with one more property for one service, e.g. to point the router at an AWS endpoint. */
        public Settings with(String service, String key, Object value) {
            Map<String, Map<String, Object>> copy = new LinkedHashMap<>(overrides);
            Map<String, Object> forService = new LinkedHashMap<>(copy.getOrDefault(service, Map.of()));
            forService.put(key, value);
            copy.put(service, forService);
            return new Settings(infra, statusPort, ingestPort, routerPort, workerPort, modelsDir, copy);
        }

        /** Fixed, documented ports; environment variables override them (see the README). */
        public static Settings defaults() {
            LocalInfra.Settings infra = new LocalInfra.Settings(env("KAFKA_PORT", 9092), env("S3_PORT", 9000),
                    env("POSTGRES_PORT", 15432), Path.of(System.getenv().getOrDefault("MESH_DATA_DIR", ".mesh/data")));
            return new Settings(infra, env("STATUS_PORT", 8080), env("INGEST_PORT", 8081), env("ROUTER_PORT", 8082),
                    env("WORKER_PORT", 8083), Path.of(System.getenv().getOrDefault("INFERMESH_MODELS_DIR", "models")),
                    Map.of());
        }

        /** Random free ports and a temporary data folder, for tests. */
        public static Settings randomPorts(Path modelsDir) {
            return new Settings(LocalInfra.Settings.randomPorts(), 0, 0, 0, 0, modelsDir, Map.of());
        }

        private static int env(String name, int fallback) {
            String value = System.getenv(name);
            return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
        }
    }

    private final LocalInfra infra;
    private final Map<String, ConfigurableApplicationContext> services = new LinkedHashMap<>();

    private LocalMesh(LocalInfra infra) {
        this.infra = infra;
    }

    /** Starts infrastructure, then the four services; stops what started if anything fails. */
    public static LocalMesh start(Settings settings) {
        LocalInfra infra = LocalInfra.create(settings.infra());
        LocalMesh mesh = new LocalMesh(infra);
        try {
            infra.startAll();
            infra.kafka().createTopics(3, Topics.STORAGE_EVENTS.name(), Topics.JOBS_REQUESTED.name(),
                    Topics.JOBS_LIFECYCLE.name(), Topics.JOBS_RESULTS.name());
            infra.s3().createBucket(BUCKET);
            Map<String, Object> common = new LinkedHashMap<>();
            common.put("spring.cloud.stream.kafka.binder.brokers", infra.kafka().bootstrapServers());
            common.put("spring.main.banner-mode", "off");
            // one logging system serves all contexts: an application name in each line would be the first one's
            common.put("logging.include-application-name", false);
            String models = settings.modelsDir().toAbsolutePath().normalize().toString();

            Map<String, Object> status = new LinkedHashMap<>(common);
            status.put("server.port", settings.statusPort());
            status.put("spring.datasource.url", infra.postgres().jdbcUrl());
            status.put("spring.datasource.username", infra.postgres().username());
            status.put("spring.datasource.password", infra.postgres().password());
            status.put("infermesh.status.models-dir", models);

            Map<String, Object> router = new LinkedHashMap<>(common);
            router.put("server.port", settings.routerPort());
            router.put("infermesh.router.models-dir", models);

            Map<String, Object> worker = new LinkedHashMap<>(common);
            worker.put("server.port", settings.workerPort());
            worker.put("infermesh.worker.models-dir", models);
            worker.put("infermesh.worker.s3.endpoint", infra.s3().endpoint().toString());
            worker.put("infermesh.worker.s3.access-key", infra.s3().accessKey());
            worker.put("infermesh.worker.s3.secret-key", infra.s3().secretKey());
            worker.put("infermesh.worker.s3.region", infra.s3().region());
            worker.put("infermesh.worker.s3.path-style", true);

            Map<String, Object> ingest = new LinkedHashMap<>(common);
            ingest.put("server.port", settings.ingestPort());

            // Consumers downstream first, so nothing waits on a group join; contexts start side by side.
            List<CompletableFuture<Void>> starts = new ArrayList<>();
            status.putAll(settings.overrides().getOrDefault("status-service", Map.of()));
            router.putAll(settings.overrides().getOrDefault("router-service", Map.of()));
            worker.putAll(settings.overrides().getOrDefault("worker-service", Map.of()));
            ingest.putAll(settings.overrides().getOrDefault("ingest-service", Map.of()));
            starts.add(mesh.startService("status-service", StatusServiceApplication::builder, status));
            starts.add(mesh.startService("router-service", RouterServiceApplication::builder, router));
            starts.add(mesh.startService("worker-service", WorkerServiceApplication::builder, worker));
            starts.add(mesh.startService("ingest-service", IngestServiceApplication::builder, ingest));
            CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).join();
            return mesh;
        } catch (RuntimeException e) {
            mesh.close();
            throw e;
        }
    }

    private CompletableFuture<Void> startService(String name, Supplier<SpringApplicationBuilder> builder,
            Map<String, Object> properties) {
        // As command-line arguments: they outrank the service's own yml defaults.
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        return CompletableFuture.runAsync(() -> {
            ConfigurableApplicationContext context = builder.get().registerShutdownHook(false).run(args);
            synchronized (services) {
                services.put(name, context);
            }
        });
    }

    public LocalInfra infra() {
        return infra;
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
        infra.close();
    }

    public static void main(String[] args) throws InterruptedException {
        Settings settings = Settings.defaults();
        LocalMesh mesh;
        try {
            mesh = start(settings);
        } catch (RuntimeException e) {
            // the useful sentence is somewhere down the cause chain (e.g. "Port 8080 is already in use")
            var reasons = new java.util.LinkedHashSet<String>();
            for (Throwable t = e; t != null && reasons.size() < 6; t = t.getCause() == t ? null : t.getCause()) {
                if (t.getMessage() != null && !(t instanceof java.util.concurrent.CompletionException)) {
                    reasons.add(t.getMessage());
                }
            }
            System.err.printf("%ninfermesh: the local mesh could not start: %s%n"
                    + "infermesh: ports can be changed with KAFKA_PORT, S3_PORT, POSTGRES_PORT, STATUS_PORT, INGEST_PORT,"
                    + " ROUTER_PORT, WORKER_PORT (see README.md); everything that had started was stopped.%n",
                    String.join(" <- ", reasons));
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\ninfermesh: stopping...");
            mesh.close();
            System.out.println("infermesh: stopped");
            stopped.countDown();
        }, "infermesh-shutdown"));
        Duration ready = Duration.ofMillis(System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime());
        System.out.println(mesh.banner(settings, ready));
        stopped.await();
    }

    String banner(Settings settings, Duration ready) {
        var s3 = infra.s3();
        return """

                ==================================================================================
                 infermesh local mesh is ready (%.1f s after JVM start). Ctrl-C stops everything.
                ----------------------------------------------------------------------------------
                 Kafka (KRaft)     %s
                 S3 endpoint       %s   bucket '%s'   key %s / secret %s
                 PostgreSQL        %s   (user %s)
                 status-service    %s/api/jobs      (REST; actuator at /actuator)
                 ingest-service    %s/actuator/health
                 router-service    %s/actuator/health
                 worker-service    %s/actuator/health
                 models            %s
                ----------------------------------------------------------------------------------
                 Try:  AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_DEFAULT_REGION=%s \\
                         aws --endpoint-url %s s3 cp models/digits/samples/digit-3.png \\
                         s3://%s/inbox/digits/alice/digit-3.png
                       curl -s '%s/api/jobs?owner=alice'
                ==================================================================================
                """.formatted(ready.toMillis() / 1000.0, infra.kafka().bootstrapServers(), s3.endpoint(), BUCKET,
                s3.accessKey(), s3.secretKey(), infra.postgres().jdbcUrl(), infra.postgres().username(),
                url("status-service"), url("ingest-service"), url("router-service"), url("worker-service"),
                settings.modelsDir().toAbsolutePath().normalize(), s3.accessKey(), s3.secretKey(), s3.region(),
                s3.endpoint(), BUCKET, url("status-service"));
    }
}
