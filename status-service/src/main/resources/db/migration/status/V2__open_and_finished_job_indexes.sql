-- The reaper looks for open jobs whose last progress is older than their limit; open jobs are few.
CREATE INDEX jobs_open_progress_idx ON jobs ((GREATEST(pending_at, runnable_at, starting_at, running_at, created_at)))
    WHERE status_rank < 4;

-- Retention purges terminal jobs finished before a cut-off.
CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE status_rank = 4;
