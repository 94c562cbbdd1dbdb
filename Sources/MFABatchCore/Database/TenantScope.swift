import Foundation
import Postgres

/// The one way the tool enters a tenant: a transaction whose row-level-security
/// context is the account, run as the non-owner role `mfa_batch_tenant`.
///
/// ```sql
/// BEGIN ISOLATION LEVEL READ COMMITTED;
/// SELECT set_config('mfa_batch.account_id', $1, true);  -- transaction-local
/// -- also lock_timeout, statement_timeout, and jit off: the set-based statements
/// -- are short, and their inflated estimates (jsonb_each) made JIT compile each one
/// SELECT pg_advisory_xact_lock($2);                       -- one run per tenant at a time
/// SET LOCAL ROLE mfa_batch_tenant;                        -- RLS holds even for a superuser
/// … body …
/// COMMIT;
/// ```
/// Everything here is transaction-scoped (no session state, no session locks, no
/// prepared statements), so it also works behind a transaction-pooling PgBouncer.
public enum TenantScope {
    /// The advisory-lock key of an account: the first 8 bytes of its UUID.
    public static func lockKey(_ account: UUID) -> Int64 {
        let u = account.uuid
        let bytes = [u.0, u.1, u.2, u.3, u.4, u.5, u.6, u.7]
        return Int64(bitPattern: bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    @discardableResult
    public static func transaction<T>(
        _ connection: Connection, account: UUID, lockTimeout: String = "10s", statementTimeout: String = "5min",
        _ body: (Connection) throws -> T
    ) throws -> T {
        try connection.transaction { connection in
            try connection.query(
                "SELECT set_config('mfa_batch.account_id', $1, true), set_config('lock_timeout', $2, true), set_config('statement_timeout', $3, true), set_config('jit', 'off', true)",
                [account, lockTimeout, statementTimeout])
            try connection.query("SELECT pg_advisory_xact_lock($1)", [lockKey(account)])
            try connection.query("SET LOCAL ROLE mfa_batch_tenant")
            return try body(connection)
        }
    }
}
