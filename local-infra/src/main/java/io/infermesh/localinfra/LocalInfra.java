package io.infermesh.localinfra;

import java.nio.file.Path;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local infrastructure as one lazily started bundle: Kafka, S3 (which needs Kafka for its notifications) and
 * PostgreSQL. Each component starts on the first call of its accessor; accessors are thread-safe and return the same
 * instance afterwards. {@link #close()} stops whatever was started, S3 before Kafka.
 *
 * <pre>{@code
 * try (LocalInfra infra = LocalInfra.create(LocalInfra.Settings.defaults())) {
 *     String bootstrap = infra.kafka().bootstrapServers();
 *     URI s3 = infra.s3().endpoint();
 *     String jdbc = infra.postgres().jdbcUrl();
 * }
 * }</pre>
 */
public final class LocalInfra implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalInfra.class);

    /**
     * Ports (0 = random free port) and the base directory. With a {@code baseDir} the components keep their data in
     * {@code baseDir/kafka}, {@code baseDir/s3} and {@code baseDir/postgres} across restarts; with {@code null} each
     * uses a temporary directory deleted on close.
     */
    public record Settings(int kafkaPort, int s3Port, int postgresPort, Path baseDir) {

        public static final int DEFAULT_KAFKA_PORT = 9092;
        public static final int DEFAULT_S3_PORT = 9000;
        public static final int DEFAULT_POSTGRES_PORT = 15432;
        public static final Path DEFAULT_BASE_DIR = Path.of(".mesh", "data");

        public Settings {
            checkPort("kafkaPort", kafkaPort);
            checkPort("s3Port", s3Port);
            checkPort("postgresPort", postgresPort);
        }

        /** Kafka 9092, S3 9000, PostgreSQL 15432, data kept in {@code ./.mesh/data}. */
        public static Settings defaults() {
            return new Settings(DEFAULT_KAFKA_PORT, DEFAULT_S3_PORT, DEFAULT_POSTGRES_PORT, DEFAULT_BASE_DIR);
        }

        /** Random free ports and temporary data directories: for tests. */
        public static Settings randomPorts() {
            return new Settings(0, 0, 0, null);
        }

        public Settings withBaseDir(Path dir) {
            return new Settings(kafkaPort, s3Port, postgresPort, dir);
        }

        private static void checkPort(String name, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(name + " must be 0..65535, was " + port);
            }
        }

        Path dir(String component) {
            return baseDir == null ? null : baseDir.resolve(component);
        }
    }

    private final Settings settings;
    private final Object lock = new Object();
    private volatile LocalKafka kafka;
    private volatile LocalS3 s3;
    private volatile LocalPostgres postgres;
    private volatile boolean closed;
    private Thread shutdownHook;

    private LocalInfra(Settings settings) {
        this.settings = settings;
    }

    /** Creates the bundle; nothing is started until an accessor is called. */
    public static LocalInfra create(Settings settings) {
        return new LocalInfra(Objects.requireNonNull(settings, "settings"));
    }

    public Settings settings() {
        return settings;
    }

    /** The Kafka broker, started on first call. */
    public LocalKafka kafka() {
        LocalKafka k = kafka;
        if (k != null && !closed) {
            return k;
        }
        synchronized (lock) {
            checkOpen();
            if (kafka == null) {
                kafka = LocalKafka.start(settings.kafkaPort(), settings.dir("kafka"));
            }
            return kafka;
        }
    }

    /** The S3 endpoint, started on first call (starting Kafka first if needed). */
    public LocalS3 s3() {
        LocalS3 s = s3;
        if (s != null && !closed) {
            return s;
        }
        synchronized (lock) {
            checkOpen();
            if (s3 == null) {
                String bootstrap = kafka().bootstrapServers();
                s3 = LocalS3.start(settings.s3Port(), settings.dir("s3"), bootstrap);
            }
            return s3;
        }
    }

    /** PostgreSQL, started on first call. */
    public LocalPostgres postgres() {
        LocalPostgres p = postgres;
        if (p != null && !closed) {
            return p;
        }
        synchronized (lock) {
            checkOpen();
            if (postgres == null) {
                postgres = LocalPostgres.start(settings.postgresPort(), settings.dir("postgres"));
            }
            return postgres;
        }
    }

    /** Starts every component now (instead of lazily) and returns this. */
    public LocalInfra startAll() {
        kafka();
        s3();
        postgres();
        return this;
    }

    public boolean isKafkaStarted() {
        return kafka != null;
    }

    public boolean isS3Started() {
        return s3 != null;
    }

    public boolean isPostgresStarted() {
        return postgres != null;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Registers a JVM shutdown hook that closes this bundle (for launchers); returns this. Idempotent. */
    public LocalInfra closeOnShutdown() {
        synchronized (lock) {
            if (shutdownHook == null && !closed) {
                shutdownHook = new Thread(this::closeFromHook, "infermesh-local-infra-shutdown");
                Runtime.getRuntime().addShutdownHook(shutdownHook);
            }
        }
        return this;
    }

    private void closeFromHook() {
        synchronized (lock) {
            shutdownHook = null; // a hook must not unregister itself while the JVM is shutting down
        }
        close();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("LocalInfra is closed");
        }
    }

    /** Stops what was started: S3, then Kafka, then PostgreSQL. Idempotent. */
    @Override
    public void close() {
        LocalS3 s;
        LocalKafka k;
        LocalPostgres p;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            s = s3;
            k = kafka;
            p = postgres;
            if (shutdownHook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException ignored) {
                    // the JVM is already shutting down
                }
                shutdownHook = null;
            }
        }
        closeQuietly(s);
        closeQuietly(k);
        closeQuietly(p);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            log.warn("Failed to close {}: {}", c, e.toString());
        }
    }

    @Override
    public String toString() {
        return "LocalInfra[kafka=" + kafka + ", s3=" + s3 + ", postgres=" + postgres + "]";
    }
}
