import Foundation
import Postgres

/// The one way the tool enters a tenant: a transaction whose row-level-security
/// context is the account, run as the non-owner role `mfa_batch_tenant`.
///
/// ```sql
/// BEGIN ISOLATION LEVEL READ COMMITTED;
/// SELECT mfa_batch_enter_tenant($1),             -- SET LOCAL mfa_batch.account_id
///        set_config('jit', 'off', true),   -- the set-based statements are short, and
///        -- their inflated estimates (jsonb_each) made JIT compile each one
///        pg_advisory_xact_lock(hashtextextended(…));     -- one run per tenant, waiting
/// … reads as the connecting role (the key revocation check), if any …
/// SELECT mfa_batch_set_timeouts($1, $2),         -- SET LOCAL lock/statement_timeout
///        set_config('role', 'mfa_batch_tenant', true);   -- SET LOCAL ROLE: RLS holds
///        -- even for a superuser
/// … body …
/// COMMIT;
/// ```
/// The settings are made with `SET LOCAL` by two small functions of migration 0012
/// (which also set `citus.propagate_set_commands = 'local'`): on one node that is the
/// same as `set_config(…, true)`, and on Citus it is what reaches the workers, where
/// the shards' policies read the tenant and row locks are waited for. The values
/// are still parameters: the functions quote them (`format('%L')`), not the tool.
/// The role needs no propagation: the coordinator connects to the workers as it.
///
/// Two round trips before the body: a small tenant's time is mostly fixed costs.
/// Everything here is transaction-scoped (no session settings, no session locks,
/// no prepared statements), so it also works behind a transaction-pooling
/// PgBouncer, and leaves nothing on a server connection.
public enum TenantScope {
    @discardableResult
    public static func transaction<T>(
        _ connection: Connection, account: UUID, lockTimeout: String = "10s", statementTimeout: String = "5min",
        _ body: (Connection) throws -> T
    ) throws -> T {
        try connection.transaction { connection in
            for statement in [entering(account: account), becomingTenant(lockTimeout: lockTimeout, statementTimeout: statementTimeout)] {
                try connection.query(statement.sql, statement.parameters.map { $0 as (any PostgresParameter)? })
            }
            return try body(connection)
        }
    }

    /// `BEGIN` and the statements that enter the tenant, for a pipeline that sends them
    /// with the first statements of the body in one round trip. `asConnectingRole`
    /// run inside the tenant's transaction (its RLS context set, its lock held) but
    /// before the switch to `mfa_batch_tenant`: reads of what the tenant role may not
    /// see (the revocation times of keys: column grants do not reach Citus shards).
    static func opening(account: UUID, asConnectingRole: [Connection.PipelineStatement] = [],
                        lockTimeout: String = "10s", statementTimeout: String = "5min")
        -> [Connection.PipelineStatement] {
        [Connection.PipelineStatement("BEGIN ISOLATION LEVEL READ COMMITTED"), entering(account: account)]
            + asConnectingRole
            + [becomingTenant(lockTimeout: lockTimeout, statementTimeout: statementTimeout)]
    }

    /// Index in `opening`'s statements of the first of `asConnectingRole`.
    static let firstConnectingRoleStatement = 2

    /// The lock waits as long as another run holds the tenant (the time-outs are set
    /// after it): runs on one tenant serialize rather than fail. The whole id is
    /// hashed, so sequential or time-ordered ids of different tenants do not share a
    /// lock.
    private static func entering(account: UUID) -> Connection.PipelineStatement {
        Connection.PipelineStatement("""
            SELECT mfa_batch_enter_tenant($1), set_config('jit', 'off', true),
                   pg_advisory_xact_lock(hashtextextended('mfa_batch.tenant:' || $1, 0))
            """, [account])
    }

    private static func becomingTenant(lockTimeout: String, statementTimeout: String) -> Connection.PipelineStatement {
        Connection.PipelineStatement("""
            SELECT mfa_batch_set_timeouts($1, $2), set_config('role', 'mfa_batch_tenant', true)
            """, [lockTimeout, statementTimeout])
    }
}
