-- CANCELLED: a job its owner withdrew before it ran (ADR 0016). Terminal, rank 4 like SUCCEEDED and FAILED.
ALTER TABLE jobs DROP CONSTRAINT jobs_status_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check
    CHECK (status IN ('PENDING', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'));
