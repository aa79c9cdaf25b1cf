package io.infermesh.localinfra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server (zonky embedded binaries, a separate {@code postgres} process managed from this JVM) with a
 * database named {@value #DATABASE}.
 *
 * <p>Authentication is {@code trust} on 127.0.0.1 (as initialised by the embedded binaries): the user is
 * {@value #USERNAME}, any password is accepted; {@link #password()} returns {@value #PASSWORD} for clients that insist
 * on one.
 */
public final class LocalPostgres implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalPostgres.class);

    public static final String DATABASE = "infermesh";
    public static final String USERNAME = "postgres";
    public static final String PASSWORD = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path dataDir;
    private final String jdbcUrl;
    private volatile boolean closed;

    private LocalPostgres(EmbeddedPostgres postgres, Path dataDir) {
        this.postgres = postgres;
        this.dataDir = dataDir;
        this.jdbcUrl = jdbcUrl(postgres.getPort(), DATABASE);
    }

    /**
     * Starts PostgreSQL on {@code port} (0 = a random free port). With a {@code dataDir} the cluster is initialised
     * once and kept across restarts; with {@code null} a temporary directory is used and deleted on close.
     */
    public static LocalPostgres start(int port, Path dataDir) {
        QuietLogging.apply();
        long t = System.nanoTime();
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("listen_addresses", "127.0.0.1");
        if (port != 0) {
            builder.setPort(port);
        }
        Path dir = null;
        if (dataDir != null) {
            try {
                dir = Files.createDirectories(dataDir).toAbsolutePath();
            } catch (IOException e) {
                throw new LocalInfraException("Cannot create PostgreSQL data directory " + dataDir, e);
            }
            builder.setDataDirectory(dir).setCleanDataDirectory(false);
        } else {
            builder.setCleanDataDirectory(true);
        }
        EmbeddedPostgres pg;
        try {
            pg = builder.start();
        } catch (IOException | RuntimeException e) {
            throw new LocalInfraException("Could not start PostgreSQL on port " + port + ": " + e.getMessage(), e);
        }
        try {
            createDatabaseIfMissing(pg.getPort());
        } catch (SQLException | RuntimeException e) {
            try {
                pg.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw new LocalInfraException("PostgreSQL started but database '" + DATABASE + "' could not be created", e);
        }
        LocalPostgres local = new LocalPostgres(pg, dir);
        log.info("PostgreSQL listening on 127.0.0.1:{} (database {}), data in {}, started in {} ms", pg.getPort(),
                DATABASE, dir == null ? "a temporary directory" : dir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t));
        return local;
    }

    private static void createDatabaseIfMissing(int port) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl(port, "postgres"), USERNAME, PASSWORD)) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, DATABASE);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + DATABASE);
            } catch (SQLException e) {
                // 42P04 duplicate_database: someone else created it concurrently
                if (!"42P04".equals(e.getSQLState())) {
                    throw e;
                }
            }
        }
    }

    private static String jdbcUrl(int port, String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** JDBC URL of the {@value #DATABASE} database. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String username() {
        return USERNAME;
    }

    public String password() {
        return PASSWORD;
    }

    /** The database name, {@value #DATABASE}. */
    public String database() {
        return DATABASE;
    }

    public int port() {
        return postgres.getPort();
    }

    /** The data directory given to {@link #start(int, Path)}, or {@code null} for a temporary one. */
    public Path dataDir() {
        return dataDir;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Stops the server ({@code pg_ctl stop -m fast}); deletes the data directory if it was temporary. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            postgres.close();
        } catch (IOException e) {
            log.warn("Failed to stop PostgreSQL cleanly: {}", e.toString());
        }
    }

    @Override
    public String toString() {
        return "LocalPostgres[" + jdbcUrl + "]";
    }
}
