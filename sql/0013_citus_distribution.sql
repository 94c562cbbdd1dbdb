-- 0013: on a Citus cluster, shard the schema by tenant. On plain PostgreSQL this
-- only creates the function below and does nothing else.
--
-- - users, jwt_keys, api_keys, mfa_audit and run_outcomes are distributed by
--   account_id and co-located: a tenant's rows of all of them live in the same
--   shard group, so every statement of a tenant transaction is routed to one
--   worker (Task Count: 1) and the transaction commits there without two-phase
--   commit.
-- - accounts is a reference table (a copy on every node), not distributed by id:
--   `slug` must stay unique across all accounts, and Citus allows a unique index
--   on a distributed table only when it contains the distribution column. It is
--   small, read on every tenant transaction and at authorization (by slug), and
--   the foreign keys of the tenant tables point at it (distributed → reference).
-- - job_runs and mfa_batch_migrations stay local tables on the coordinator: they
--   are per run, not per tenant, and the run's locks live there too.
--
-- Citus must be installed in the database (CREATE EXTENSION citus, workers added)
-- before `mfa-batch migrate`. For a database migrated before Citus was installed,
-- run `SELECT mfa_batch_distribute_for_citus();` once as the tables' owner.
--
-- Also on Citus: the coordinator connects to the workers as the role of the
-- transaction, and tenant transactions run as mfa_batch_tenant, which must
-- therefore be allowed to log in (on the workers: give it a way to authenticate
-- there, e.g. trust or cert for the coordinator's address in pg_hba.conf, or a
-- password in pg_dist_authinfo). Citus 12.1 does not propagate column-level GRANTs
-- to shards; the tool no longer relies on them (0010's grants stay, unused).
CREATE FUNCTION mfa_batch_distribute_for_citus() RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    tenant_table text;
BEGIN
    -- With foreign keys to a reference table, Citus needs one connection per node
    -- for everything that follows in this transaction.
    SET LOCAL citus.multi_shard_modify_mode TO 'sequential';
    -- Foreign keys between local tables would keep accounts from becoming a
    -- reference table: dropped first, added back once both ends are distributed.
    FOREACH tenant_table IN ARRAY ARRAY['users', 'jwt_keys', 'api_keys', 'mfa_audit'] LOOP
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT IF EXISTS %I', tenant_table, tenant_table || '_account_id_fkey');
    END LOOP;
    IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'accounts'::regclass) THEN
        PERFORM create_reference_table('accounts');
    END IF;
    FOREACH tenant_table IN ARRAY ARRAY['users', 'jwt_keys', 'api_keys', 'mfa_audit', 'run_outcomes'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = tenant_table::regclass) THEN
            IF tenant_table = 'users' THEN
                PERFORM create_distributed_table('users', 'account_id');
            ELSE
                PERFORM create_distributed_table(tenant_table, 'account_id', colocate_with => 'users');
            END IF;
        END IF;
    END LOOP;
    FOREACH tenant_table IN ARRAY ARRAY['users', 'jwt_keys', 'api_keys', 'mfa_audit'] LOOP
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (account_id) REFERENCES accounts (id)',
                       tenant_table, tenant_table || '_account_id_fkey');
    END LOOP;
    -- SET LOCAL ROLE mfa_batch_tenant makes the coordinator connect to the workers as
    -- it. Roles are cluster-wide: another database may be doing the same right now
    -- ("tuple concurrently updated"), which is fine once the role can log in.
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mfa_batch_tenant' AND rolcanlogin) THEN
        BEGIN
            ALTER ROLE mfa_batch_tenant LOGIN;
        EXCEPTION WHEN internal_error THEN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mfa_batch_tenant' AND rolcanlogin) THEN
                RAISE;
            END IF;
        END;
    END IF;
END
$$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        PERFORM mfa_batch_distribute_for_citus();
    END IF;
END
$$;
