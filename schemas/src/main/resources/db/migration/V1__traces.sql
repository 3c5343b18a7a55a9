-- Trace format v1 tables. Written by the trace assembly (Flink), read by the gateway.
-- Every write is an upsert on a natural key, so replays and restarts never duplicate a row.

CREATE TABLE traces (
    trace_id            text PRIMARY KEY,
    participant_id      text,
    task_id             text,
    state               text        NOT NULL,  -- open | receiving | complete | rejected | abandoned
    version             bigint      NOT NULL,  -- newer versions win; a replayed older one is a no-op
    event_count         bigint      NOT NULL DEFAULT 0,
    chunk_count         bigint      NOT NULL DEFAULT 0,
    chain_head          text,
    merkle_root         text,
    verdict             text,                  -- verified | rejected | pending
    reasons             jsonb       NOT NULL DEFAULT '[]',
    metrics             jsonb       NOT NULL DEFAULT '{}',
    header              jsonb,
    document_uri        text,
    duplicates_dropped  bigint      NOT NULL DEFAULT 0,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX traces_state_created ON traces (state, created_at, trace_id);
CREATE INDEX traces_participant_created ON traces (participant_id, created_at, trace_id);
CREATE INDEX traces_task_created ON traces (task_id, created_at, trace_id);
CREATE INDEX traces_created ON traces (created_at, trace_id);

-- Accepted events, one row per chunk: PostgreSQL row writes are the bottleneck of the
-- pipeline, and a chunk's events are written and read together (pages by seq range).
CREATE TABLE trace_event_chunks (
    trace_id   text   NOT NULL,
    chunk_seq  bigint NOT NULL,
    first_seq  bigint NOT NULL,
    last_seq   bigint NOT NULL,
    events     jsonb  NOT NULL,
    PRIMARY KEY (trace_id, chunk_seq)
);
CREATE INDEX trace_event_chunks_by_seq ON trace_event_chunks (trace_id, last_seq);
