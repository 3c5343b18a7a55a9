-- Live metrics: one row per window (1m | 1h), dimension (all | task | participant | repo), key and
-- window start, written by the metrics windows of the Flink job. Every emission of a window is
-- its whole content, so the row is upserted: a late event, a re-emission after a restore or a
-- replay rewrites it with the corrected counts and never adds to them.
CREATE TABLE metric_windows (
    window_size         text        NOT NULL,
    dimension           text        NOT NULL,
    key                 text        NOT NULL,  -- '' for dimension 'all'
    window_start        timestamptz NOT NULL,
    window_end          timestamptz NOT NULL,
    events              bigint      NOT NULL,
    chunks              bigint      NOT NULL,
    bytes               bigint      NOT NULL,
    traces_opened       bigint      NOT NULL,
    traces_completed    bigint      NOT NULL,
    traces_rejected     bigint      NOT NULL,
    traces_abandoned    bigint      NOT NULL,
    duplicates_dropped  bigint      NOT NULL,
    latency_ms          jsonb       NOT NULL,  -- gateway receive → assembled, per chunk: {count, p50, p90, p99, max}
    verdicts            jsonb       NOT NULL,  -- {resolved, not_resolved, waiting, error}: counts
    sandbox_ms          jsonb       NOT NULL,  -- {count, total, max}
    scores              jsonb       NOT NULL,  -- {rubric@v: {dimension: {count, mean, buckets[10]}}}
    updated_at          timestamptz NOT NULL,
    PRIMARY KEY (window_size, dimension, key, window_start)
);
CREATE INDEX metric_windows_by_start ON metric_windows (window_size, dimension, window_start);
CREATE INDEX metric_windows_updated ON metric_windows (updated_at);
