-- Issue 18: who recorded a trace's consent. 'participant': granted in the create request (every
-- consent recorded before this migration); 'deployment': the deployment records consent outside
-- the API and declared the text version and scopes for clients that send none (the replaced
-- system's clients, imports of its traces).
ALTER TABLE trace_consents ADD COLUMN source text NOT NULL DEFAULT 'participant'
    CHECK (source IN ('participant', 'deployment'));
