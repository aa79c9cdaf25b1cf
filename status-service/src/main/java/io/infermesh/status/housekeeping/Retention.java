package io.infermesh.status.housekeeping;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Deletes terminal jobs that finished before a cut-off, with their event history, a thousand at a time so that no
 * statement holds locks for long. Open jobs are never purged. Each purged job leaves a tombstone, so that an event
 * arriving for it later (a replay, an out-of-order record) is ignored instead of bringing back half a job; tombstones
 * go after another retention period.
 */
public final class Retention {

    private final JdbcClient jdbc;
    private final Duration keep;

    public Retention(JdbcClient jdbc, Duration keep) {
        this.jdbc = jdbc;
        this.keep = keep;
    }

    /** Purges; returns how many jobs were deleted. */
    public int purge(Instant now) {
        Timestamp cutoff = Timestamp.from(now.minus(keep));
        int total = 0;
        while (true) {
            Integer deleted =
                    jdbc.sql("""
                    WITH gone AS (
                        DELETE FROM jobs WHERE job_id IN (
                            SELECT job_id FROM jobs WHERE status_rank = 4 AND finished_at < :cutoff LIMIT 1000)
                        RETURNING job_id),
                    history AS (
                        DELETE FROM job_events e USING gone WHERE e.job_id = gone.job_id),
                    tombstones AS (
                        INSERT INTO purged_jobs (job_id, purged_at) SELECT job_id, now() FROM gone
                        ON CONFLICT (job_id) DO NOTHING)
                    SELECT count(*) FROM gone""").param("cutoff", cutoff).query(Integer.class).single();
            total += deleted;
            if (deleted < 1000) {
                jdbc.sql("DELETE FROM purged_jobs WHERE purged_at < :cutoff")
                        .param("cutoff", cutoff)
                        .update();
                return total;
            }
        }
    }
}
