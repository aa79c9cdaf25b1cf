package io.infermesh.status.projection;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.infermesh.contracts.CloudEventTypes;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.localinfra.LocalPostgres;
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
 * The projection of lifecycle events into a real PostgreSQL ({@link LocalPostgres}, the schema migrated by Flyway from
 * the service's own {@code db/migration/status}): a batch of {@value #EVENTS} events, PENDING to SUCCEEDED for
 * {@value #JOBS} new jobs, each accepted by {@link LifecycleProjection} and written by {@link JobProjectionStore}.
 * {@link #projectBatchInOneTransaction} is what the service does (its consumer projects a batch of records in one
 * transaction, {@link JobProjectionStore#projectAll}); {@link #projectBatch}, a transaction per event, is what it did
 * before, and shows what a commit per event costs. The score is events per second.
 *
 * <p>The store is built as the service builds it, minus Spring's application context: a {@link JdbcClient} over a
 * HikariCP pool, a {@link TransactionTemplate} in place of the transactional proxy. The consumer's conversion of the
 * record to JSON and its counters are left out. The database's settings are printed at the start of each fork.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ProjectionBenchmarks {

    static final int JOBS = 20;
    static final int EVENTS = 100;

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
        printSettings(migrated.targetSchemaVersion);
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

    private void printSettings(String schemaVersion) {
        System.out.println("projection database: PostgreSQL " + show("server_version")
                + " (embedded, zonky binaries), schema version " + schemaVersion + ", synchronous_commit="
                + show("synchronous_commit") + ", fsync=" + show("fsync") + ", shared_buffers="
                + show("shared_buffers"));
    }

    private String show(String setting) {
        return jdbc.sql("SHOW " + setting).query(String.class).single();
    }
}
