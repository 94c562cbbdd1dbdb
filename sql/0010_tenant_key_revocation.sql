-- 0010: a tenant's transaction checks that the keys its rows were authorized with
-- were not revoked since the run verified them (a key revoked mid-run stops working
-- at the next tenant). The tenant role may read only what that check needs: ids,
-- kids and revocation times, never a hash or a secret; row-level security still
-- confines it to its own account.
GRANT SELECT (account_id, id, revoked_at) ON api_keys TO mfa_batch_tenant;
GRANT SELECT (account_id, kid, revoked_at) ON jwt_keys TO mfa_batch_tenant;
