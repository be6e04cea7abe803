-- Workers: trainer processes and the last time each reported that it is alive.
CREATE TABLE workers (
    id                text PRIMARY KEY,
    host              text NOT NULL,
    process_id        integer NOT NULL,
    version           text NOT NULL,
    device            text NOT NULL,
    first_seen_at     timestamptz NOT NULL,
    last_heartbeat_at timestamptz NOT NULL
);

CREATE TABLE experiments (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    description text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL
);

CREATE TABLE runs (
    id            uuid PRIMARY KEY,
    experiment_id bigint NOT NULL REFERENCES experiments (id),
    name          text NOT NULL,
    status        text NOT NULL,
    created_at    timestamptz NOT NULL
);

CREATE INDEX runs_created_at ON runs (created_at DESC);
