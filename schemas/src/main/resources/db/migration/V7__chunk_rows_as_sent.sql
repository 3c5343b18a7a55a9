-- A chunk row keeps its events as the JSON text the assembly accepted (the client's events with
-- the gateway's receive time, redacted where a rule fired), not as jsonb: PostgreSQL no longer
-- parses every event on the write path (the pipeline's busiest statement), and the assembled
-- document is built from these rows byte for byte. Readers that need JSON operators cast
-- (events::jsonb); the text is always a JSON array.
ALTER TABLE trace_event_chunks ALTER COLUMN events TYPE text USING events::text;
ALTER TABLE trace_event_chunks ADD CONSTRAINT trace_event_chunks_events_is_array CHECK (left(events, 1) = '[');
