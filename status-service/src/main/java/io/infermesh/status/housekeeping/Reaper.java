package io.infermesh.status.housekeeping;

import io.infermesh.contracts.Backend;
import io.infermesh.contracts.FailureReason;
import io.infermesh.contracts.JobStatus;
import io.infermesh.contracts.JobStatusChanged;
import io.infermesh.contracts.ModelCard;
import io.infermesh.contracts.ModelCatalogue;
import io.infermesh.events.JobEventSender;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Settles jobs that stopped making progress: a job in a non-terminal status whose latest status is older than its
 * model's {@code resources.timeoutSeconds} plus the grace, and that the projection has not changed for the quiet
 * period, becomes FAILED with reason {@code STUCK} ("timed out in RUNNING"), published on the lifecycle so that
 * every consumer sees it, not just this projection. One instance sweeps at a time (a PostgreSQL advisory lock); a second FAILED for the same attempt has the same event id and is
 * dropped by consumers.
 */
public final class Reaper {

    /** The advisory lock key of the reaper ("infermesh reaper"). */
    private static final long LOCK = 0x696e6672_65617072L;

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final JobEventSender publisher;
    private final ModelCatalogue catalogue;
    private final Duration grace;
    private final Duration defaultTimeout;
    private final int batchSize;
    private final Duration quiet;
    private final List<String> models;
    private final String candidatesSql;

    /**
     * @param quiet how long the projection must have recorded no change to a job (by the database clock) before
     *     the job may be settled
     */
    public Reaper(
            JdbcClient jdbc,
            TransactionTemplate transactions,
            JobEventSender publisher,
            ModelCatalogue catalogue,
            Duration grace,
            Duration defaultTimeout,
            Duration quiet,
            int batchSize) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.publisher = publisher;
        this.catalogue = catalogue;
        this.grace = grace;
        this.defaultTimeout = defaultTimeout;
        this.batchSize = batchSize;
        this.quiet = quiet;
        this.models = catalogue.names().stream().sorted().toList();
        this.candidatesSql = candidatesSql(models);
    }

    private record Open(
            String jobId,
            String model,
            String owner,
            JobStatus status,
            int attempt,
            String backend,
            Instant progress) {}

    /** One sweep; returns the jobs it settled. */
    public List<JobStatusChanged> sweep(Instant now) {
        List<JobStatusChanged> settled = transactions.execute(tx -> {
            Boolean locked = jdbc.sql("SELECT pg_try_advisory_xact_lock(:key)")
                    .param("key", LOCK)
                    .query(Boolean.class)
                    .single();
            if (!Boolean.TRUE.equals(locked)) {
                return List.of();
            }
            var select = jdbc.sql(candidatesSql)
                    .param("now", Timestamp.from(now))
                    .param("cutoff", Timestamp.from(now.minus(shortestLimit())))
                    .param("quiet_s", quiet.toMillis() / 1000.0)
                    .param("default_s", defaultTimeout.plus(grace).toSeconds())
                    .param("n", batchSize);
            for (int i = 0; i < models.size(); i++) {
                select = select.param("m" + i, models.get(i))
                        .param("s" + i, limit(models.get(i)).toSeconds());
            }
            List<Open> candidates = select.query((rs, i) -> new Open(
                            rs.getString("job_id"),
                            rs.getString("model"),
                            rs.getString("owner"),
                            JobStatus.valueOf(rs.getString("status")),
                            rs.getInt("attempt"),
                            rs.getString("backend"),
                            rs.getTimestamp("progress").toInstant()))
                    .list();
            return candidates.stream().map(open -> settle(open, now)).toList();
        });
        return settled == null ? List.of() : settled;
    }

    /**
     * Open jobs past their own model's limit, oldest first. The shortest limit bounds the scan by the open-jobs index;
     * each job's own limit is applied in the query, so jobs of patient models can never crowd out overdue ones. A job
     * the projection changed within the quiet period (by the database's clock, which stamps {@code updated_at}) is left
     * alone: after an outage the backlog being caught up
     * carries old event times, and a job whose RUNNING was just projected may have its SUCCEEDED a few records on.
     */
    private static String candidatesSql(List<String> models) {
        StringBuilder limit = new StringBuilder("CASE model");
        for (int i = 0; i < models.size(); i++) {
            limit.append(" WHEN :m").append(i).append(" THEN :s").append(i);
        }
        limit.append(" ELSE :default_s END");
        String modelLimit = models.isEmpty() ? ":default_s" : limit.toString();
        return """
                SELECT job_id, model, owner, status, attempt, backend,
                       GREATEST(pending_at, runnable_at, starting_at, running_at, created_at) AS progress
                FROM jobs
                WHERE status_rank < 4
                  AND GREATEST(pending_at, runnable_at, starting_at, running_at, created_at) < :cutoff
                  AND GREATEST(pending_at, runnable_at, starting_at, running_at, created_at)
                      < CAST(:now AS timestamptz) - make_interval(secs => %s)
                  AND updated_at < now() - make_interval(secs => :quiet_s)
                ORDER BY progress
                LIMIT :n""".formatted(modelLimit);
    }

    private JobStatusChanged settle(Open open, Instant now) {
        Duration timeout = timeout(open.model());
        Duration idle = Duration.between(open.progress(), now);
        JobStatusChanged failed = JobStatusChanged.of(
                        open.jobId(), open.model(), open.owner(), JobStatus.FAILED, open.attempt(), now)
                .withBackend(open.backend() == null ? null : Backend.valueOf(open.backend()), null)
                .withFailure(
                        FailureReason.STUCK,
                        "timed out in " + open.status() + ": no progress for "
                                + human(idle) + ", and model '" + open.model() + "' allows " + human(timeout) + " plus "
                                + human(grace) + " of grace; the status reaper settled the job");
        publisher.statusChanged(failed);
        return failed;
    }

    private Duration limit(String model) {
        return timeout(model).plus(grace);
    }

    private Duration timeout(String model) {
        return catalogue
                .find(model)
                .map(ModelCard::resources)
                .map(ModelCard.Resources::timeoutSeconds)
                .map(s -> Duration.ofSeconds(s))
                .orElse(defaultTimeout);
    }

    private Duration shortestLimit() {
        Duration shortest = defaultTimeout;
        for (String name : catalogue.names()) {
            Duration t = timeout(name);
            if (t.compareTo(shortest) < 0) {
                shortest = t;
            }
        }
        return shortest.plus(grace);
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return String.format(Locale.ROOT, "%d min", s / 60);
        }
        return String.format(Locale.ROOT, "%.1f h", s / 3600.0);
    }
}
