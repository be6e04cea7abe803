-- The system of record for runs: lifecycle, parameters, tags, environment metadata, step metrics and artifacts.

ALTER TABLE runs
    ADD COLUMN started_at          timestamptz,
    ADD COLUMN ended_at            timestamptz,
    ADD COLUMN heartbeat_at        timestamptz,
    ADD COLUMN worker_id           text,
    ADD COLUMN parent_run_id       uuid REFERENCES runs (id),
    ADD COLUMN config              jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN notes               text NOT NULL DEFAULT '',
    ADD COLUMN status_reason       text,
    ADD COLUMN cancel_requested_at timestamptz,
    ADD CONSTRAINT runs_status_known
        CHECK (status IN ('queued', 'running', 'finished', 'failed', 'crashed', 'cancelled'));

-- Claiming takes the oldest queued run; crash detection scans running runs by heartbeat.
CREATE INDEX runs_queued ON runs (created_at, id) WHERE status = 'queued';
CREATE INDEX runs_running_heartbeat ON runs (heartbeat_at) WHERE status = 'running';
CREATE INDEX runs_experiment ON runs (experiment_id, created_at DESC);

-- Tags overwrite.
CREATE TABLE run_tags (
    run_id uuid NOT NULL REFERENCES runs (id),
    key    text NOT NULL,
    value  text NOT NULL,
    PRIMARY KEY (run_id, key)
);
CREATE INDEX run_tags_key_value ON run_tags (key, value);

-- Parameters are write-once: the same value again is a no-op, another value is a conflict.
CREATE TABLE params (
    run_id uuid NOT NULL REFERENCES runs (id),
    key    text NOT NULL,
    value  text NOT NULL,
    PRIMARY KEY (run_id, key)
);
CREATE INDEX params_key ON params (key);

-- Environment and version facts; any JSON value per key, overwritten on a later write.
CREATE TABLE run_metadata (
    run_id uuid NOT NULL REFERENCES runs (id),
    key    text NOT NULL,
    value  jsonb NOT NULL,
    PRIMARY KEY (run_id, key)
);

-- One row per (run, metric key): the id that keys every point, plus the latest value (the point with the highest
-- step) and the extent of the series, kept on write so that run lists and searches never scan points.
CREATE TABLE metric_series (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id          uuid NOT NULL REFERENCES runs (id),
    key             text NOT NULL,
    point_count     bigint NOT NULL,
    nan_count       bigint NOT NULL,
    min_step        bigint NOT NULL,
    max_step        bigint NOT NULL,
    last_value      double precision NOT NULL,
    last_epoch      double precision,
    last_timestamp  timestamptz NOT NULL,
    UNIQUE (run_id, key)
);
CREATE INDEX metric_series_key_value ON metric_series (key, last_value);

-- The points: a compact row keyed by (series, step); the series id stands for (run, metric key). Bulk-inserted
-- with binary COPY. The primary key serves "series of one key of one run" in step order.
CREATE TABLE metric_points (
    series_id  bigint NOT NULL,
    step       bigint NOT NULL,
    value      double precision NOT NULL,
    epoch      double precision,
    timestamp  timestamptz NOT NULL,
    PRIMARY KEY (series_id, step)
);

-- Multi-resolution summaries: per series, per level (bucket width 2^(6 + 2 * level) steps) and per bucket, the
-- minimum, the maximum, the first and the last point, and the first NaN. Maintained with every batch, read by
-- downsampled series and compare, so neither scans raw points.
CREATE TABLE metric_summaries (
    series_id   bigint NOT NULL,
    level       smallint NOT NULL,
    bucket      bigint NOT NULL,
    point_count integer NOT NULL,
    min_step    bigint,
    min_value   double precision,
    max_step    bigint,
    max_value   double precision,
    first_step  bigint NOT NULL,
    first_value double precision NOT NULL,
    last_step   bigint NOT NULL,
    last_value  double precision NOT NULL,
    nan_step    bigint,
    PRIMARY KEY (series_id, level, bucket)
);

-- Every metric batch a client sent, by its client-chosen id: a retried batch finds its record and is not stored
-- again. Written in the same transaction as the points, so a batch is there entirely or not at all.
CREATE TABLE run_batches (
    run_id       uuid NOT NULL REFERENCES runs (id),
    batch_id     uuid NOT NULL,
    content_hash bytea NOT NULL,
    received_at  timestamptz NOT NULL,
    PRIMARY KEY (run_id, batch_id)
);

CREATE TABLE artifacts (
    run_id       uuid NOT NULL REFERENCES runs (id),
    path         text NOT NULL,
    size         bigint NOT NULL,
    sha256       text NOT NULL,
    content_type text NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (run_id, path)
);

-- Numeric reading of a text value (params and tags are text) for numeric search comparisons; NULL when the text
-- is not a number, so such runs simply do not match.
CREATE FUNCTION earlybert_to_float8(value text) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE
        WHEN value ~ '^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$' THEN value::double precision
        WHEN lower(btrim(value)) IN ('nan', 'infinity', '+infinity', '-infinity', 'inf', '+inf', '-inf') THEN value::double precision
    END;
