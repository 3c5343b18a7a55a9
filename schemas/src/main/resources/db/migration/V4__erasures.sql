-- Erasure of a participant's data: an audit record per request (who, when, what, counts) and
-- the list of erased trace ids, which the gateway and dataset exports consult (an erased trace
-- answers 410 Gone and is never ingested again).
CREATE TABLE erasures (
    id              bigserial   PRIMARY KEY,
    participant_id  text        NOT NULL,
    requested_by    text        NOT NULL,
    requested_at    timestamptz NOT NULL,
    traces          jsonb       NOT NULL,  -- the erased trace ids
    counts          jsonb       NOT NULL   -- rows and objects deleted, per store
);
CREATE TABLE erased_traces (
    trace_id        text        PRIMARY KEY,
    participant_id  text        NOT NULL,
    erased_at       timestamptz NOT NULL,
    erasure_id      bigint      NOT NULL REFERENCES erasures (id)
);
