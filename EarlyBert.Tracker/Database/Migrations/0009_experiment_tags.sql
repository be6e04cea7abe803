-- MLflow-compatible API (Mlflow/): experiment tags and an experiment's last update time.

-- MLflow's experiment tags (experiments/create tags, set-experiment-tag, delete-experiment-tag): one value per key,
-- overwritten by a later set, as MLflow's own store keeps them.
CREATE TABLE experiment_tags (
    experiment_id bigint NOT NULL REFERENCES experiments (id),
    key           text NOT NULL,
    value         text NOT NULL,
    PRIMARY KEY (experiment_id, key)
);

-- MLflow's last_update_time: set by a rename, a delete and a restore (not by tags, as in MLflow); null means the
-- creation time.
ALTER TABLE experiments ADD COLUMN updated_at timestamptz;

-- Experiments deleted before this migration were last updated when they were deleted.
UPDATE experiments SET updated_at = deleted_at WHERE deleted_at IS NOT NULL;
