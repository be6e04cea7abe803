-- Each upload now goes to an S3 object of its own (runs/{runId}/objects/{uploadId}) and one transaction points the
-- artifact's row at it, so a failed or concurrent upload can never leave a row that describes other bytes. Rows
-- written before keep the key they were stored under (runs/{runId}/{path}).
ALTER TABLE artifacts ADD COLUMN object_key text;
UPDATE artifacts SET object_key = 'runs/' || run_id || '/' || path;
ALTER TABLE artifacts ALTER COLUMN object_key SET NOT NULL;
-- One object belongs to one row at most; the sweep looks objects up by key.
CREATE UNIQUE INDEX artifacts_object_key ON artifacts (object_key);

-- Uploads in flight: a row is written before the first byte goes to S3 and removed in the transaction that points an
-- artifact at the object (or when the upload fails). The sweep never deletes an object that has a row here or in
-- artifacts, and an upload whose row the sweep expired cannot be recorded any more.
CREATE TABLE artifact_uploads (
    object_key text PRIMARY KEY,
    run_id     uuid NOT NULL,
    started_at timestamptz NOT NULL
);
CREATE INDEX artifact_uploads_started_at ON artifact_uploads (started_at);
