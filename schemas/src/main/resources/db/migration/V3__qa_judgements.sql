-- Rubric judgements, one row per (trace digest, rubric id@version, judge id incl. model and
-- prompt version): a re-triggered or replayed judgement finds its row and is not recomputed,
-- and a new rubric version or judge adds rows beside the old ones — never overwriting them.
CREATE TABLE qa_judgements (
    trace_id      text        NOT NULL,
    trace_digest  text        NOT NULL,
    rubric        text        NOT NULL,  -- e.g. debugging@1
    judge         text        NOT NULL,  -- e.g. heuristic-v1, llm:gpt-4o-mini:prompt-v1:render-v1
    overall       double precision,      -- the rubric's weighted sum; null when the judge failed
    scores        jsonb       NOT NULL,  -- {<dimension>: {score, justification, evidence}}
    error         text,
    usage         jsonb,
    result        jsonb       NOT NULL,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (trace_digest, rubric, judge)
);
CREATE INDEX qa_judgements_trace_created ON qa_judgements (trace_id, created_at);
