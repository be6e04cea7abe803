-- Reproductions (POST /api/runs/{id}/reproduce): what makes a run a reproduction of its parent, and its verdict once
-- it has ended. A row of its own rather than columns on runs: only reproductions have one, and the verdict is
-- written long after the run was created.
CREATE TABLE run_reproductions (
    run_id                  uuid PRIMARY KEY REFERENCES runs (id),
    parent_run_id           uuid NOT NULL REFERENCES runs (id),
    -- Config overrides asked for, key to value as given (the CLI's --set form): the differences from the parent.
    overrides               jsonb NOT NULL DEFAULT '{}',
    -- identical | within tolerance | diverged at step N | not reproduced; null until the reproduction has ended.
    verdict                 text,
    description             text,
    tolerance               double precision,
    max_relative_difference double precision,
    -- {step, metric, parentValue, childValue, relativeDifference} of the first divergence.
    first_divergence        jsonb,
    -- 'passed', or the refusal naming each differing hash and both values; null while unknown.
    precondition            text,
    -- [{key, parent, child}]: versions, device, driver, kernels that differ from the parent's.
    environment_differences jsonb NOT NULL DEFAULT '[]',
    judged_at               timestamptz
);

CREATE INDEX run_reproductions_parent ON run_reproductions (parent_run_id);
