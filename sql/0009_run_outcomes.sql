-- 0009: a run's row outcomes are written once, compactly, inside each tenant's
-- transaction: one `run_outcomes` record per tenant (or per chunk of rows that
-- reached no tenant), holding that tenant's rows as parallel arrays in manifest
-- order. The engine decides in Swift and no longer stages rows in PostgreSQL, so
-- `run_rows` (one wide row per manifest row, written three times) goes; the runs it
-- holds are carried over, so `runs show --report` still re-exports them.
--
-- The statuses and run outcomes are spelled here exactly as the Swift enums
-- `RowStatus` and `RunOutcome` spell them (a test checks they agree).

CREATE TABLE run_outcomes (
    run_id        uuid NOT NULL,
    -- the tenant; NULL for rows that reached none (unknown or malformed account)
    account_id    uuid,
    -- the first manifest row of the record: records of a run never overlap
    first_row     integer NOT NULL,
    row_no        integer[] NOT NULL,
    line          integer[] NOT NULL,
    -- as written in the manifest
    account       text[] NOT NULL,
    user_text     text[] NOT NULL,
    comment       text[] NOT NULL,
    status        text[] NOT NULL CHECK (status <@ ARRAY['changed', 'would_change', 'unchanged', 'invalid',
        'unauthorized', 'not_applied', 'stale', 'error', 'valid']::text[]),
    error         text[] NOT NULL,
    reason        text[] NOT NULL,
    users_matched integer[] NOT NULL,
    users_changed integer[] NOT NULL,
    PRIMARY KEY (run_id, first_row),
    CHECK (cardinality(row_no) = cardinality(status))
);

-- Same confinement as every tenant table, not forced on the owner, which writes the
-- records of rows that reached no tenant outside any tenant transaction.
ALTER TABLE run_outcomes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON run_outcomes
    USING (account_id = mfa_batch_current_account())
    WITH CHECK (account_id = mfa_batch_current_account());
CREATE POLICY maintenance ON run_outcomes TO CURRENT_USER
    USING (mfa_batch_current_account() IS NULL)
    WITH CHECK (mfa_batch_current_account() IS NULL);
GRANT SELECT, INSERT ON run_outcomes TO mfa_batch_tenant;

INSERT INTO run_outcomes (run_id, account_id, first_row, row_no, line, account, user_text, comment, status, error,
                          reason, users_matched, users_changed)
SELECT run_id, account_id, min(row_no),
       array_agg(row_no ORDER BY row_no), array_agg(line ORDER BY row_no), array_agg(account ORDER BY row_no),
       array_agg(user_text ORDER BY row_no), array_agg(comment ORDER BY row_no),
       array_agg(coalesce(status, 'not_applied') ORDER BY row_no), array_agg(error ORDER BY row_no),
       array_agg(coalesce(reason, CASE WHEN status IS NULL OR status = 'not_applied' THEN 'not applied' END) ORDER BY row_no),
       array_agg(users_matched ORDER BY row_no), array_agg(users_changed ORDER BY row_no)
FROM run_rows GROUP BY run_id, account_id;

DROP TABLE run_rows;

-- A run's outcome, with the same spelling as `RunOutcome`.
ALTER TABLE job_runs ADD CONSTRAINT job_runs_outcome_check CHECK (outcome IN ('running', 'succeeded', 'rows_failed',
    'interrupted', 'database_error', 'refused', 'report_failed', 'died'));

-- Raised inside a tenant's pipelined write when the users it decided from changed
-- under it (a concurrent writer): SQLSTATE 40001, so the tenant is retried and
-- decides again from what is there now. Lets the write, the audit, the outcomes and
-- the COMMIT go in one round trip without a lock on every user read.
CREATE FUNCTION mfa_batch_expect_rows(expected bigint, actual bigint) RETURNS bigint
    LANGUAGE plpgsql AS $$
BEGIN
    IF expected IS DISTINCT FROM actual THEN
        RAISE EXCEPTION 'users changed concurrently: expected to update % rows, updated %', expected, actual
            USING ERRCODE = 'serialization_failure';
    END IF;
    RETURN actual;
END
$$;
