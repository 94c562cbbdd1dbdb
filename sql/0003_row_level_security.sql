-- 0003: row-level security on every tenant table.
--
-- Tenant transactions run `SET LOCAL mfa_batch.account_id = '<uuid>'` and
-- `SET LOCAL ROLE mfa_batch_tenant`: the role is not the owner and not a superuser,
-- so the policies below hold even when the tool was given a superuser connection,
-- and both settings end with the transaction (safe behind transaction pooling).
-- The connecting role (the one that ran this migration) keeps full access for
-- maintenance only while no tenant is set.

-- Roles are cluster-wide: another database of the same cluster may be creating
-- it at this very moment, hence the exception handler rather than IF NOT EXISTS.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mfa_batch_tenant') THEN
        CREATE ROLE mfa_batch_tenant NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;
-- Lets a non-superuser owner `SET ROLE mfa_batch_tenant` (a superuser needs nothing).
DO $$
BEGIN
    GRANT mfa_batch_tenant TO CURRENT_USER;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

-- The tenant of the current transaction, NULL when none is set.
CREATE FUNCTION mfa_batch_current_account() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('mfa_batch.account_id', true), '')::uuid $$;

ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON accounts
    USING (id = mfa_batch_current_account())
    WITH CHECK (id = mfa_batch_current_account());
CREATE POLICY maintenance ON accounts TO CURRENT_USER
    USING (mfa_batch_current_account() IS NULL)
    WITH CHECK (mfa_batch_current_account() IS NULL);

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users
    USING (account_id = mfa_batch_current_account())
    WITH CHECK (account_id = mfa_batch_current_account());
CREATE POLICY maintenance ON users TO CURRENT_USER
    USING (mfa_batch_current_account() IS NULL)
    WITH CHECK (mfa_batch_current_account() IS NULL);

ALTER TABLE jwt_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE jwt_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON jwt_keys
    USING (account_id = mfa_batch_current_account())
    WITH CHECK (account_id = mfa_batch_current_account());
CREATE POLICY maintenance ON jwt_keys TO CURRENT_USER
    USING (mfa_batch_current_account() IS NULL)
    WITH CHECK (mfa_batch_current_account() IS NULL);

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
    USING (account_id = mfa_batch_current_account())
    WITH CHECK (account_id = mfa_batch_current_account());
CREATE POLICY maintenance ON api_keys TO CURRENT_USER
    USING (mfa_batch_current_account() IS NULL)
    WITH CHECK (mfa_batch_current_account() IS NULL);

ALTER TABLE mfa_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE mfa_audit FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mfa_audit
    USING (account_id = mfa_batch_current_account())
    WITH CHECK (account_id = mfa_batch_current_account());
CREATE POLICY maintenance ON mfa_audit TO CURRENT_USER
    USING (mfa_batch_current_account() IS NULL)
    WITH CHECK (mfa_batch_current_account() IS NULL);

-- What a tenant transaction may do, and nothing more.
GRANT SELECT ON accounts TO mfa_batch_tenant;
GRANT SELECT, UPDATE ON users TO mfa_batch_tenant;
GRANT SELECT, INSERT ON mfa_audit TO mfa_batch_tenant;
