-- The current state of every job, projected from infermesh.jobs.lifecycle.
-- A row moves only forward in (attempt, status_rank); see JobProjectionStore for the merge rule.
CREATE TABLE jobs (
    job_id              text             PRIMARY KEY,
    model               text,
    owner               text,
    status              text             NOT NULL
        CHECK (status IN ('PENDING', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED')),
    attempt             integer          NOT NULL CHECK (attempt >= 1),
    status_rank         smallint         NOT NULL CHECK (status_rank BETWEEN 0 AND 4),
    backend             text,
    placement_reason    text,
    reason              text,
    message             text,
    input_bucket        text,
    input_key           text,
    input_version_id    text,
    input_etag          text,
    input_size          bigint,
    input_content_type  text,
    output_bucket       text,
    output_key          text,
    cold_start          boolean,
    queue_wait_ms       bigint,
    download_ms         bigint,
    model_load_ms       bigint,
    inference_ms        bigint,
    upload_ms           bigint,
    total_ms            bigint,
    estimated_cost_usd  double precision,
    predictions         jsonb,
    created_at          timestamptz      NOT NULL,
    updated_at          timestamptz      NOT NULL,
    pending_at          timestamptz,
    runnable_at         timestamptz,
    starting_at         timestamptz,
    running_at          timestamptz,
    finished_at         timestamptz
);

-- GET /api/jobs lists newest first, optionally filtered by model, owner or status.
CREATE INDEX jobs_created_idx ON jobs (created_at DESC, job_id DESC);
CREATE INDEX jobs_model_created_idx ON jobs (model, created_at DESC);
CREATE INDEX jobs_owner_created_idx ON jobs (owner, created_at DESC);
CREATE INDEX jobs_status_created_idx ON jobs (status, created_at DESC);

-- Every distinct lifecycle event, keyed by its stable id <jobId>/<attempt>/<status>: a redelivered event is a
-- primary-key conflict, and the projection then leaves the job alone.
CREATE TABLE job_events (
    event_id     text        PRIMARY KEY,
    job_id       text        NOT NULL,
    attempt      integer     NOT NULL,
    status       text        NOT NULL,
    occurred_at  timestamptz NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    payload      jsonb       NOT NULL
);

CREATE INDEX job_events_job_idx ON job_events (job_id, attempt);
