-- A position in the feed of all lifecycle events, for the live stream's ids and Last-Event-ID resumption.
ALTER TABLE job_events ADD COLUMN seq bigserial;
CREATE UNIQUE INDEX job_events_seq_idx ON job_events (seq);
