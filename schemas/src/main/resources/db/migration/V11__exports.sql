-- Exports made (./prt export) and the traces each held, from its manifest: an erasure lists
-- the exports made before it that held an erased trace, so the operator knows what to withdraw.
CREATE TABLE exports (
    id               bigserial   PRIMARY KEY,
    created_at       timestamptz NOT NULL,
    location         text        NOT NULL,  -- the folder it was written to
    format           text        NOT NULL,  -- parquet | jsonl | swebench
    filters          jsonb       NOT NULL,
    manifest_sha256  text,                  -- set once the manifest is written
    rows             bigint      NOT NULL
);

CREATE TABLE export_traces (
    export_id   bigint NOT NULL REFERENCES exports (id),
    trace_id    text   NOT NULL,
    chain_head  text,
    PRIMARY KEY (export_id, trace_id)
);

CREATE INDEX export_traces_by_trace ON export_traces (trace_id);

-- The erasure's audit record names the exports made before it that held an erased trace.
ALTER TABLE erasures ADD COLUMN exports jsonb NOT NULL DEFAULT '[]';
