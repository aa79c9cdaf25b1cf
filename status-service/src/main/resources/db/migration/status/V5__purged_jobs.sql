-- Jobs removed by retention. An event that arrives for one later (a replay, a late dead letter, an out-of-order
-- record) is ignored instead of bringing back half a job. Tombstones are purged after another retention period.
CREATE TABLE purged_jobs (
    job_id    text        PRIMARY KEY,
    purged_at timestamptz NOT NULL
);
CREATE INDEX purged_jobs_purged_at_idx ON purged_jobs (purged_at);
