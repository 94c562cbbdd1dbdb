-- 0012: a tenant transaction sets its row-level-security context and time-outs
-- with `SET LOCAL` (through these functions, so that the values still travel as
-- parameters and are quoted by the server, never by the tool), not with
-- `set_config(…, true)`. Both are transaction-scoped and the same on one node, but
-- on Citus only SET commands reach the workers (with citus.propagate_set_commands
-- = 'local', set here first), and the workers are where the policies of the
-- shards read mfa_batch.account_id and where row locks are waited for. On plain
-- PostgreSQL, citus.propagate_set_commands is an unused placeholder setting.

-- The tenant of the transaction. The text is checked to be a UUID.
CREATE FUNCTION mfa_batch_enter_tenant(account text) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    SET LOCAL citus.propagate_set_commands = 'local';
    EXECUTE format('SET LOCAL mfa_batch.account_id = %L', account::uuid);
END
$$;

-- The transaction's lock and statement time-outs (e.g. '10s', '5min').
CREATE FUNCTION mfa_batch_set_timeouts(lock_timeout text, statement_timeout text) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SET LOCAL lock_timeout = %L', lock_timeout);
    EXECUTE format('SET LOCAL statement_timeout = %L', statement_timeout);
END
$$;

GRANT EXECUTE ON FUNCTION mfa_batch_enter_tenant(text), mfa_batch_set_timeouts(text, text) TO mfa_batch_tenant;
