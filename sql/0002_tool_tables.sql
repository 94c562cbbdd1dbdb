-- 0002: the tables mfa-batch writes: API keys (hash only), run history, audit trail.

-- An API key's secret is never stored: only its SHA-256 (key_hash) and a short
-- visible prefix that lets an operator recognise it in `keys list`.
CREATE TABLE api_keys (
    account_id uuid NOT NULL REFERENCES accounts (id),
    id         uuid NOT NULL,
    name       text,
    prefix     text NOT NULL,
    key_hash   bytea NOT NULL,
    scopes     text[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    revoked_at timestamptz,
    PRIMARY KEY (account_id, id),
    UNIQUE (account_id, key_hash)
);
-- Authorization looks a key up by hash alone (to tell "belongs to another
-- account" from "unknown"); `keys revoke KEY_ID` by id alone.
CREATE INDEX api_keys_key_hash_idx ON api_keys (key_hash);
CREATE INDEX api_keys_id_idx ON api_keys (id);

-- One row per run of apply / plan / dry run. Not tenant-owned: a run spans tenants.
CREATE TABLE job_runs (
    id              uuid PRIMARY KEY,
    job             text,
    mode            text NOT NULL CHECK (mode IN ('apply', 'dry-run', 'plan')),
    manifest        text NOT NULL,
    manifest_sha256 text,
    partial         boolean NOT NULL DEFAULT false,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    -- running, succeeded, rows_failed, interrupted, database_error, died
    outcome         text NOT NULL DEFAULT 'running',
    -- the report's summary object once finished
    counts          jsonb,
    host            text,
    pid             integer
);
CREATE INDEX job_runs_started_at_idx ON job_runs (started_at DESC);
CREATE INDEX job_runs_job_idx ON job_runs (job, started_at DESC);

-- One row per user and deciding manifest row whose setting a run changed. Settings
-- are keyed by name in `before`/`after` so that a new boolean in the API spec needs
-- no schema change here. `credential` is the key id or JWT subject, never a secret.
CREATE TABLE mfa_audit (
    account_id   uuid NOT NULL REFERENCES accounts (id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    run_id       uuid NOT NULL,
    user_id      uuid NOT NULL,
    manifest_row integer NOT NULL,
    credential   text NOT NULL,
    before       jsonb NOT NULL,
    after        jsonb NOT NULL,
    changed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, id)
);
CREATE INDEX mfa_audit_run_idx ON mfa_audit (account_id, run_id);
CREATE INDEX mfa_audit_user_idx ON mfa_audit (account_id, user_id, changed_at);
