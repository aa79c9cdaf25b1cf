package io.infermesh.localinfra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
            stopOrphan(dir);
        } else {
            builder.setCleanDataDirectory(true);
        }
        if (port != 0) {
            // the embedded binaries only wait for the port to answer: whatever else listens there would be taken
            // for the new server
            checkPortFree(port);
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
        log.info(
                "PostgreSQL listening on 127.0.0.1:{} (database {}), data in {}, started in {} ms",
                pg.getPort(),
                DATABASE,
                dir == null ? "a temporary directory" : dir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t));
        return local;
    }

    /**
     * A {@code kill -9} of the JVM skips {@code pg_ctl stop}, so the postmaster outlives it and keeps the data
     * directory and the port. Starting on top of it would silently hand out the orphan (with whatever state and
     * settings it had); instead it is named in one line and shut down (fast: open transactions roll back, the data is
     * checkpointed), and a fresh server starts on the same data.
     */
    static void stopOrphan(Path dir) {
        Path pidFile = dir.resolve("postmaster.pid");
        List<String> lines;
        try {
            lines = Files.isRegularFile(pidFile) ? Files.readAllLines(pidFile) : List.of();
        } catch (IOException e) {
            throw new LocalInfraException("Cannot read " + pidFile + ": " + e.getMessage(), e);
        }
        if (lines.isEmpty()) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException e) {
            return; // not a lock file we understand: PostgreSQL itself will judge it
        }
        Optional<ProcessHandle> postmaster =
                ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(LocalPostgres::isPostgres);
        if (postmaster.isEmpty()) {
            return; // a stale lock file of a dead server: PostgreSQL removes it on start
        }
        String port = lines.size() > 3 ? lines.get(3).trim() : "?";
        log.warn(
                "PostgreSQL (pid {}, port {}) was still running on {}, left by a mesh that did not stop cleanly;"
                        + " stopping it and starting afresh on the same data",
                pid,
                port,
                dir);
        ProcessHandle handle = postmaster.get();
        try {
            // SIGINT is PostgreSQL's fast shutdown, what pg_ctl stop -m fast sends
            new ProcessBuilder("kill", "-INT", Long.toString(pid))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor(10, TimeUnit.SECONDS);
            handle.onExit().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalInfraException("Interrupted while stopping the PostgreSQL left running on " + dir, e);
        } catch (IOException | ExecutionException | TimeoutException e) {
            throw new LocalInfraException(
                    "The PostgreSQL left running on " + dir + " (pid " + pid
                            + ") did not stop within 60 s; stop it (kill " + pid + ") and start again",
                    e);
        }
    }

    private static boolean isPostgres(ProcessHandle process) {
        return process.info()
                .command()
                .map(Path::of)
                .map(Path::getFileName)
                .map(Path::toString)
                .filter("postgres"::equals)
                .isPresent();
    }

    private static void checkPortFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new LocalInfraException(
                    "Port " + port + " on 127.0.0.1 is already in use by another program, so"
                            + " PostgreSQL cannot start there; stop that program or choose another port",
                    e);
        }
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
