-- Every dead letter seen on the mesh's <topic>.dlq topics, for operators (GET /api/dead-letters). One row per record:
-- recording the same record again (a redelivery) changes nothing.
CREATE TABLE dead_letters (
    id               bigserial   PRIMARY KEY,
    topic            text        NOT NULL,
    kafka_partition  integer     NOT NULL,
    kafka_offset     bigint      NOT NULL,
    dead_lettered_at timestamptz NOT NULL,
    record_key       text,
    reason           text,
    original_topic   text,
    value_preview    text        NOT NULL,
    value_encoding   text        NOT NULL CHECK (value_encoding IN ('text', 'base64')),
    value_bytes      integer     NOT NULL,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (topic, kafka_partition, kafka_offset)
);
CREATE INDEX dead_letters_by_topic ON dead_letters (topic, id DESC);
