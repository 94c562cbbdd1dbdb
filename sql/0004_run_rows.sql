-- 0004: the rows of a run. `apply`, `plan` and dry runs COPY every manifest row
-- here (never a credential: only the verified principal's id), PostgreSQL groups
-- them by tenant and resolves, checks and applies them set-based, and each row's
-- outcome stays here with the run, so that `runs show --report` can re-export it.

ALTER TABLE job_runs DROP CONSTRAINT job_runs_mode_check;
ALTER TABLE job_runs ADD CONSTRAINT job_runs_mode_check CHECK (mode IN ('apply', 'dry-run', 'plan'));

CREATE TABLE run_rows (
    run_id        uuid NOT NULL REFERENCES job_runs (id) ON DELETE CASCADE,
    row_no        integer NOT NULL,
    line          integer NOT NULL,
    -- as written in the manifest
    account       text NOT NULL,
    user_text     text NOT NULL,
    comment       text,
    -- resolved tenant; NULL for rows whose account is malformed or unknown
    account_id    uuid,
    -- the user selector: by id, by (lower-cased) email, or every user
    user_ref_id   uuid,
    user_email    text,
    user_all      boolean NOT NULL DEFAULT false,
    -- the settings the row asks for, e.g. {"totp_enabled": true}
    settings      jsonb,
    -- the verified credential's id (`api_key:<id>` / `jwt:<kid>:<sub>`), and the
    -- user a token without mfa:admin is confined to
    principal     text,
    restricted_to uuid,
    resolved_user uuid,
    -- the outcome (NULL while undecided)
    status        text,
    error         text,
    reason        text,
    users_matched integer,
    users_changed integer,
    PRIMARY KEY (run_id, row_no)
);
CREATE INDEX run_rows_tenant_idx ON run_rows (run_id, account_id);

ALTER TABLE run_rows ENABLE ROW LEVEL SECURITY;
ALTER TABLE run_rows FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON run_rows
    USING (account_id = mfa_batch_current_account())
    WITH CHECK (account_id = mfa_batch_current_account());
CREATE POLICY maintenance ON run_rows TO CURRENT_USER
    USING (mfa_batch_current_account() IS NULL)
    WITH CHECK (mfa_batch_current_account() IS NULL);

GRANT SELECT, UPDATE (resolved_user, status, error, reason, users_matched, users_changed) ON run_rows TO mfa_batch_tenant;
