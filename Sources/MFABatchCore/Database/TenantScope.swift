import Foundation
import Postgres

/// The one way the tool enters a tenant: a transaction whose row-level-security
/// context is the account, run as the non-owner role `mfa_batch_tenant`.
///
/// ```sql
/// BEGIN ISOLATION LEVEL READ COMMITTED;
/// SELECT set_config('mfa_batch.account_id', $1, true),  -- transaction-local
///        set_config('jit', 'off', true),   -- the set-based statements are short, and
///        -- their inflated estimates (jsonb_each) made JIT compile each one
///        pg_advisory_xact_lock(hashtextextended(…));     -- one run per tenant, waiting
/// SELECT set_config('lock_timeout', …), set_config('statement_timeout', …),
///        set_config('role', 'mfa_batch_tenant', true);   -- SET LOCAL ROLE: RLS holds
///        -- even for a superuser
/// … body …
/// COMMIT;
/// ```
/// Two round trips before the body: a small tenant's time is mostly fixed costs.
/// Everything here is transaction-scoped (no session settings, no session locks,
/// no prepared statements), so it also works behind a transaction-pooling
/// PgBouncer. The one thing a tenant leaves on a server connection is the engine's
/// two temporary work tables, empty, which each transaction creates if missing
/// (`TenantSQL.createWorkTables`).
public enum TenantScope {
    @discardableResult
    public static func transaction<T>(
        _ connection: Connection, account: UUID, lockTimeout: String = "10s", statementTimeout: String = "5min",
        _ body: (Connection) throws -> T
    ) throws -> T {
        try connection.transaction { connection in
            for statement in entering(account: account, lockTimeout: lockTimeout, statementTimeout: statementTimeout) {
                try connection.query(statement.sql, statement.parameters.map { $0 as (any PostgresParameter)? })
            }
            return try body(connection)
        }
    }

    /// `BEGIN` and the statements that enter the tenant, for a pipeline that sends them
    /// with the first statements of the body in one round trip.
    static func opening(account: UUID, lockTimeout: String = "10s", statementTimeout: String = "5min")
        -> [Connection.PipelineStatement] {
        [Connection.PipelineStatement("BEGIN ISOLATION LEVEL READ COMMITTED")]
            + entering(account: account, lockTimeout: lockTimeout, statementTimeout: statementTimeout)
    }

    /// The lock waits as long as another run holds the tenant (the time-outs are set
    /// after it): runs on one tenant serialize rather than fail. The whole id is
    /// hashed, so sequential or time-ordered ids of different tenants do not share a
    /// lock.
    private static func entering(account: UUID, lockTimeout: String, statementTimeout: String)
        -> [Connection.PipelineStatement] {
        [
            Connection.PipelineStatement("""
                SELECT set_config('mfa_batch.account_id', $1, true), set_config('jit', 'off', true),
                       pg_advisory_xact_lock(hashtextextended('mfa_batch.tenant:' || $1, 0))
                """, [account]),
            Connection.PipelineStatement("""
                SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true),
                       set_config('role', 'mfa_batch_tenant', true)
                """, [lockTimeout, statementTimeout]),
        ]
    }
}
