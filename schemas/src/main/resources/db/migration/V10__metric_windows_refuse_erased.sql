-- An erased participant's metrics windows do not come back: a row under the participant's id for a
-- window that started before their latest erasure is dropped, whoever writes it (the job's window
-- state still holds such windows until their lateness ends; the hour's window fires at the hour).
-- Windows that start after the erasure (a participant who consents again) are kept.
CREATE INDEX erasures_participant ON erasures (participant_id, requested_at);
CREATE FUNCTION refuse_erased_participant_window() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.dimension = 'participant' AND EXISTS (
            SELECT 1 FROM erasures WHERE participant_id = NEW.key AND requested_at >= NEW.window_start) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER metric_windows_refuse_erased BEFORE INSERT OR UPDATE ON metric_windows
    FOR EACH ROW EXECUTE FUNCTION refuse_erased_participant_window();
