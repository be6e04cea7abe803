-- Crashed runs are re-queued while their config's training.retries allows: this counts the retries used.
ALTER TABLE runs ADD COLUMN retries_used integer NOT NULL DEFAULT 0;
