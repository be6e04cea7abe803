-- API keys (issue 12). Only a SHA-256 of each key is kept: a key carries 256 random bits, so no guess or precomputed
-- table can find it from its hash, and a fast hash (unlike a password hash, built to be slow against guessable
-- inputs) costs a request nothing. The plaintext is never stored. `prefix` (the key's first 12 characters) finds the
-- row; the hash is then compared in constant time.
CREATE TABLE api_keys (
    id           uuid PRIMARY KEY,
    name         text NOT NULL,
    prefix       text NOT NULL UNIQUE,
    hash         bytea NOT NULL CHECK (length(hash) = 32),
    scopes       text[] NOT NULL,
    source       text NOT NULL CHECK (source IN ('api', 'configuration')),
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
);

-- A configured key is found again by its name at every start (a changed key replaces its hash in place).
CREATE UNIQUE INDEX api_keys_configuration_name ON api_keys (name) WHERE source = 'configuration';
