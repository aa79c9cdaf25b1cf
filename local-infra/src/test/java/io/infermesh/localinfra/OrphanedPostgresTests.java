package io.infermesh.localinfra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** What the next start does when the JVM that ran PostgreSQL was killed ({@code kill -9}) and the server outlived it. */
class OrphanedPostgresTests {

    @Test
    void aPostgresLeftRunningByAKilledJvmIsNamedInOneLineStoppedAndReplacedWithTheDataKept(@TempDir Path dir)
            throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path output = dir.resolve("child.log");
        Path data = dir.resolve("postgres");
        // Given a JVM that started PostgreSQL on a kept data directory, wrote a row, and was then killed
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        KilledOwner.class.getName(),
                        Integer.toString(port),
                        data.toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        long orphanPid = 0;
        try {
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> Files.readString(output).contains(KilledOwner.READY) || !child.isAlive());
            assertThat(Files.readString(output)).contains(KilledOwner.READY);
            orphanPid = Long.parseLong(
                    Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive))
                    .as("the orphan outlives its JVM")
                    .contains(true);

            ListAppender<ILoggingEvent> lines = new ListAppender<>();
            lines.start();
            Logger logger = (Logger) LoggerFactory.getLogger(LocalPostgres.class);
            logger.addAppender(lines);
            // When PostgreSQL is started again on the same data directory and port
            try (LocalPostgres pg = LocalPostgres.start(port, data)) {
                // Then one line says what was found and done, the orphan is gone, and a fresh server has the data
                List<ILoggingEvent> warnings = lines.list.stream()
                        .filter(e -> e.getLevel() == Level.WARN)
                        .toList();
                assertThat(warnings)
                        .singleElement()
                        .extracting(ILoggingEvent::getFormattedMessage)
                        .isEqualTo("PostgreSQL (pid " + orphanPid + ", port " + port + ") was still running on "
                                + data.toAbsolutePath() + ", left by a mesh that did not stop cleanly; stopping it"
                                + " and starting afresh on the same data");
                assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive))
                        .isNotEqualTo(Optional.of(true));
                long freshPid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid"))
                        .get(0)
                        .trim());
                assertThat(freshPid).isNotEqualTo(orphanPid);
                assertThat(pg.port()).isEqualTo(port);
                try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
                        Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT v, pg_backend_pid() > 0 FROM kept")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("written before the kill");
                }
            } finally {
                logger.detachAppender(lines);
            }
        } finally {
            child.destroyForcibly();
            if (orphanPid != 0) {
                ProcessHandle.of(orphanPid).ifPresent(ProcessHandle::destroy);
            }
        }
    }

    @Test
    void aStaleLockFileOfADeadServerIsNotReported(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("postmaster.pid"), Long.MAX_VALUE / 2 + "\n" + dir + "\n0\n15432\n");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        Logger logger = (Logger) LoggerFactory.getLogger(LocalPostgres.class);
        logger.addAppender(lines);
        try {
            LocalPostgres.stopOrphan(dir);
        } finally {
            logger.detachAppender(lines);
        }
        assertThat(lines.list).isEmpty();
    }

    /** The JVM that is killed: starts PostgreSQL on a kept data directory, writes a row, says so, and waits. */
    public static final class KilledOwner {

        static final String READY = "postgres of the doomed JVM is ready";

        public static void main(String[] args) throws Exception {
            LocalPostgres pg = LocalPostgres.start(Integer.parseInt(args[0]), Path.of(args[1]));
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE kept (v text)");
                s.execute("INSERT INTO kept VALUES ('written before the kill')");
            }
            System.out.println(READY);
            System.out.flush();
            Thread.currentThread().join();
        }
    }
}
