-- The Idempotency-Key of every accepted chunk with the digest of the chunk it carried, so that
-- the same key with other content is refused (422, as the IETF idempotency-key draft asks)
-- instead of both being acknowledged. A retry with the same key and the same chunk passes.
-- Rows go with their trace's erasure, and after PRT_IDEMPOTENCY_RETENTION (the gateway's sweep).
CREATE TABLE idempotency_keys (
    trace_id    text        NOT NULL,
    key         text        NOT NULL,
    digest      text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (trace_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
CREATE TRIGGER idempotency_keys_refuse_erased BEFORE INSERT ON idempotency_keys
    FOR EACH ROW EXECUTE FUNCTION refuse_erased_trace();
