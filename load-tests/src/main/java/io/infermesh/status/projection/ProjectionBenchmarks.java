package io.infermesh.status.projection;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.load.hotpaths.LifecycleEvents;
import io.infermesh.localinfra.LocalPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * status-service's projection of lifecycle events into a real PostgreSQL ({@link LocalPostgres}, the schema migrated
 * by Flyway from the service's own {@code db/migration/status}): a batch of {@value #EVENTS} events, PENDING to
 * SUCCEEDED for {@value #JOBS} new jobs, each accepted by {@link LifecycleProjection} and written by the service's
 * {@link JobProjectionStore} in a transaction of its own, as the service's {@code @Transactional} proxy does. The
 * score is events per second. A second benchmark puts the whole batch in one transaction, for comparison.
 *
 * <p>It lives in the store's package because the store is package-private; it is built as the service builds it,
 * minus Spring's application context: a {@link JdbcClient} over a HikariCP pool, a {@link TransactionTemplate} in
 * place of the transactional proxy. The consumer's conversion of the record to JSON and its counters are left out.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ProjectionBenchmarks {

    public static final int JOBS = 20;
    public static final int EVENTS = 100;

    /** Where the runner wants the database's settings written, for its summary (a system property). */
    public static final String SETTINGS_FILE_PROPERTY = "infermesh.jmh.postgres-settings";

    private final LifecycleProjection projection = new LifecycleProjection();
    private LocalPostgres postgres;
    private HikariDataSource dataSource;
    private JdbcClient jdbc;
    private JobProjectionStore store;
    private TransactionTemplate transactions;
    private long nextJob;
    private List<JobStatusChanged> batch;

    @Setup(Level.Trial)
    public void start() {
        postgres = LocalPostgres.start(0, null);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(postgres.jdbcUrl());
        config.setUsername(postgres.username());
        config.setPassword(postgres.password());
        config.setMaximumPoolSize(2);
        dataSource = new HikariDataSource(config);
        var migrated = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration/status").load()
                .migrate();
        jdbc = JdbcClient.create(dataSource);
        store = new JobProjectionStore(jdbc);
        transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        writeSettings(migrated.targetSchemaVersion);
        // measure the path that creates and moves jobs, not duplicates or stale events
        nextBatch();
        Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
        for (JobStatusChanged event : batch) {
            outcomes.merge(project(event), 1, Integer::sum);
        }
        if (!Map.of(Outcome.APPLIED, EVENTS).equals(outcomes)) {
            throw new IllegalStateException("expected " + EVENTS + " applied events, got " + outcomes);
        }
    }

    /** Every iteration starts from empty tables, so that iterations are alike. */
    @Setup(Level.Iteration)
    public void emptyTables() {
        jdbc.sql("TRUNCATE jobs, job_events").update();
    }

    /** New jobs for every batch (their events are new to the history). Not measured. */
    @Setup(Level.Invocation)
    public void nextBatch() {
        batch = LifecycleEvents.batch(nextJob, JOBS, Instant.parse("2026-11-22T19:23:51.123Z").plusSeconds(nextJob));
        nextJob += JOBS;
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int projectBatch() {
        int applied = 0;
        for (JobStatusChanged event : batch) {
            if (project(event) == Outcome.APPLIED) {
                applied++;
            }
        }
        return applied;
    }

    /**
     * What the service does since its consumer runs in batch mode: the same batch in one transaction
     * ({@link JobProjectionStore#projectAll}). The difference to {@link #projectBatch} is what a commit per event
     * costs.
     */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int projectBatchInOneTransaction() {
        List<JobStatusChanged> accepted = batch.stream()
                .map(record -> projection.accept(record, CloudEventTypes.JOB_STATUS_CHANGED)).toList();
        return transactions.execute(status -> (int) store.projectAll(accepted).stream()
                .filter(outcome -> outcome == Outcome.APPLIED).count());
    }

    @TearDown(Level.Trial)
    public void stop() {
        if (dataSource != null) {
            dataSource.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private Outcome project(JobStatusChanged record) {
        JobStatusChanged event = projection.accept(record, CloudEventTypes.JOB_STATUS_CHANGED);
        return transactions.execute(status -> store.project(event));
    }

    private void writeSettings(String schemaVersion) {
        String file = System.getProperty(SETTINGS_FILE_PROPERTY);
        if (file == null) {
            return;
        }
        String settings = "PostgreSQL " + jdbc.sql("SHOW server_version").query(String.class).single()
                + " (embedded, zonky binaries), schema version " + schemaVersion + ", synchronous_commit="
                + jdbc.sql("SHOW synchronous_commit").query(String.class).single() + ", fsync="
                + jdbc.sql("SHOW fsync").query(String.class).single() + ", shared_buffers="
                + jdbc.sql("SHOW shared_buffers").query(String.class).single();
        try {
            Files.writeString(Path.of(file), settings);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
