-- MLflow-compatible API (Mlflow/): lifecycle stages and the points MLflow logs at a step that already has one.

-- MLflow deletes experiments and runs softly (restore brings them back): deleted_at set means "deleted".
ALTER TABLE experiments ADD COLUMN deleted_at timestamptz;
ALTER TABLE runs ADD COLUMN deleted_at timestamptz;

-- MLflow keeps every value logged at one step (log_metric without a step sends step 0 each time, told apart only
-- by timestamp). metric_points keeps one point per (series, step) and stays append-only for charts, summaries and
-- compare; the further values of a step land here. A row counts only once its request's batch record exists in
-- run_batches (same batch id), which the batch writer commits atomically with the rest of the request, so a failed
-- request leaves no visible point and its retry reuses these rows (primary key) instead of adding new ones.
CREATE TABLE mlflow_metric_points (
    run_id    uuid NOT NULL REFERENCES runs (id),
    batch_id  uuid NOT NULL,
    ordinal   integer NOT NULL,
    key       text NOT NULL,
    step      bigint NOT NULL,
    value     double precision NOT NULL,
    timestamp timestamptz NOT NULL,
    -- Arrival order among the values of one step with equal timestamps.
    seq       bigint GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (run_id, batch_id, ordinal)
);

CREATE INDEX mlflow_metric_points_series ON mlflow_metric_points (run_id, key, step);
