package io.infermesh.localinfra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@WithLocalInfra
class LocalPostgresTests {

    @Test
    void acceptsJdbcConnectionsToTheInfermeshDatabase(LocalPostgres postgres) throws Exception {
        assertThat(postgres.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + postgres.port() + "/infermesh");
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), postgres.username(), postgres.password());
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery(
                    "SELECT current_database(), current_user, " + "current_setting('server_version_num')::int")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("infermesh");
                assertThat(rs.getString(2)).isEqualTo(postgres.username());
                assertThat(rs.getInt(3)).isGreaterThanOrEqualTo(170000);
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_database WHERE datname = 'infermesh'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
            s.execute("CREATE TABLE IF NOT EXISTS jobs (id bigserial PRIMARY KEY, payload jsonb NOT NULL)");
            s.execute("INSERT INTO jobs (payload) VALUES ('{\"model\":\"resnet\"}')");
            try (ResultSet rs = s.executeQuery("SELECT payload->>'model' FROM jobs")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("resnet");
            }
        }
    }

    @Test
    void aDataDirectoryKeepsTheDatabaseAcrossRestarts(@TempDir Path dir) throws Exception {
        try (LocalPostgres pg = LocalPostgres.start(0, dir)) {
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE kept (v text)");
                s.execute("INSERT INTO kept VALUES ('still here')");
            }
        }
        try (LocalPostgres pg = LocalPostgres.start(0, dir);
                Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("still here");
        }
    }
}
