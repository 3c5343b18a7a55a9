-- Sandboxed fail-to-pass verifications, one row per (trace, trace digest, verifier): results
-- are kept side by side and never overwritten, so a re-triggered verification of the same
-- trace content finds its stored result instead of running the sandbox again.
CREATE TABLE qa_validations (
    trace_id      text        NOT NULL,
    trace_digest  text        NOT NULL,  -- SHA-256 of the assembled document
    verifier      text        NOT NULL,  -- e.g. fail-to-pass-v1
    verdict       text        NOT NULL,  -- resolved | not_resolved | error
    resolved      boolean     NOT NULL,
    error         text,
    sandbox       text        NOT NULL,  -- namespace | docker | none
    tests         jsonb       NOT NULL,  -- [{id, before, after}]
    flaky         jsonb       NOT NULL,
    limits        jsonb,
    durations_ms  jsonb,
    result        jsonb       NOT NULL,  -- the whole verdict as prt qa verify --json prints it
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (trace_id, trace_digest, verifier)
);
CREATE INDEX qa_validations_trace_created ON qa_validations (trace_id, created_at);
