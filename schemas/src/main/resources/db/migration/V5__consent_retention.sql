-- Consent and retention per trace, written by the gateway in the request that creates the trace
-- (before its header reaches Kafka), so the consent given, its text version and time, and the
-- date the system deletes the trace are on record for every trace, assembled or not. Erasure
-- and the retention sweep find a participant's or an expired trace's ids here.
CREATE TABLE trace_consents (
    trace_id        text        PRIMARY KEY,
    participant_id  text        NOT NULL,
    scopes          text[]      NOT NULL,  -- training | evaluation | publication
    text_version    text        NOT NULL,
    granted_at      timestamptz NOT NULL,
    retain_until    timestamptz NOT NULL,
    created_at      timestamptz NOT NULL
);
CREATE INDEX trace_consents_participant ON trace_consents (participant_id);
CREATE INDEX trace_consents_retain_until ON trace_consents (retain_until);

-- Erasure has two causes now: a participant's request and the retention sweep (no participant).
ALTER TABLE erasures ADD COLUMN reason text NOT NULL DEFAULT 'participant-request';
ALTER TABLE erasures ALTER COLUMN participant_id DROP NOT NULL;
ALTER TABLE erased_traces ADD COLUMN reason text NOT NULL DEFAULT 'participant-request';
ALTER TABLE erased_traces ALTER COLUMN participant_id DROP NOT NULL;
CREATE INDEX erased_traces_erased_at ON erased_traces (erased_at);

-- A trace on the erasure list is never written again, by any writer: a replayed topic, a
-- restarted job or a re-scoring run that still holds its records gets its rows dropped here.
CREATE FUNCTION refuse_erased_trace() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM erased_traces WHERE trace_id = NEW.trace_id) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER traces_refuse_erased BEFORE INSERT OR UPDATE ON traces
    FOR EACH ROW EXECUTE FUNCTION refuse_erased_trace();
CREATE TRIGGER trace_event_chunks_refuse_erased BEFORE INSERT ON trace_event_chunks
    FOR EACH ROW EXECUTE FUNCTION refuse_erased_trace();
CREATE TRIGGER qa_validations_refuse_erased BEFORE INSERT OR UPDATE ON qa_validations
    FOR EACH ROW EXECUTE FUNCTION refuse_erased_trace();
CREATE TRIGGER qa_judgements_refuse_erased BEFORE INSERT ON qa_judgements
    FOR EACH ROW EXECUTE FUNCTION refuse_erased_trace();
CREATE TRIGGER trace_consents_refuse_erased BEFORE INSERT OR UPDATE ON trace_consents
    FOR EACH ROW EXECUTE FUNCTION refuse_erased_trace();
