-- GET /api/jobs?bucket=&key= (the job of an input object), ?backend=, and sort=updatedAt.
CREATE INDEX jobs_input_idx ON jobs (input_bucket, input_key);
CREATE INDEX jobs_backend_created_idx ON jobs (backend, created_at DESC);
CREATE INDEX jobs_updated_idx ON jobs (updated_at DESC, job_id DESC);
