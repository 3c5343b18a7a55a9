-- A finished trace's document less its events (the "skeleton" the assembly splices the chunk
-- rows into), kept beside its row: with it, the document can be rebuilt from PostgreSQL alone,
-- byte for byte, and checked against the SHA-256 its claim check names. Re-scoring reads
-- documents this way, a batch of traces per query, instead of one object-store read per trace.
-- Erasure deletes the row, and with it the skeleton.
ALTER TABLE traces ADD COLUMN skeleton text;
