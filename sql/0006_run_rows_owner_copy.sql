-- 0006: let the tool's own role COPY into run_rows when it is not a superuser.
-- PostgreSQL refuses COPY FROM into a table whose row-level security applies to
-- the current user, and FORCE made it apply to the owner. run_rows is the tool's
-- bookkeeping, not a tenant table: RLS stays enabled, so tenant transactions
-- (role mfa_batch_tenant) remain confined to their account's rows, while the
-- owner, outside any tenant, stages and reads every row of a run.
ALTER TABLE run_rows NO FORCE ROW LEVEL SECURITY;
