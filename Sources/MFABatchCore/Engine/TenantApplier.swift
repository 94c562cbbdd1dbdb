import Foundation
import Postgres

/// Steps 3–5 of a row's checks and the change itself, for one tenant, in one
/// transaction confined to it by `TenantScope` (RLS context, non-owner role,
/// advisory lock that serializes runs on the same tenant, lock and statement
/// time-outs). Serialization failures, deadlocks and lock time-outs are retried
/// with backoff; other database errors mark the tenant's rows `error`.
///
/// Without `partial`, a tenant with any failing row commits nothing to tenant
/// tables: only the rows' outcomes are recorded, its valid rows `not_applied`.
struct TenantApplier: Sendable {
    let runID: UUID
    let sql: TenantSQL
    let dryRun: Bool
    let partial: Bool
    /// Applying a saved plan: the fingerprint each tenant had when planned. A tenant
    /// whose data differs now (or that the plan did not have) is refused as `stale`.
    var plannedFingerprints: [UUID: String]? = nil
    /// Take each tenant's fingerprint: when saving a plan, or applying one (it costs a
    /// pass over the tenant's users, for nothing otherwise).
    var takesFingerprints = false
    /// SIGINT/SIGTERM: cancels the tenant in progress and stops retries.
    var interruption = Interruption()
    var maxAttempts = 5

    struct Tenant: Sendable {
        var accountID: UUID
        var slug: String
        var rows: Int
        /// What staging saw, so that statements with nothing to do are not sent (a
        /// small tenant's time is mostly planning its statements): a valid `*` row,
        /// a row under a user-restricted token.
        var hasStarRows = true
        var hasUserTokens = true
    }

    func apply(_ tenant: Tenant, on connection: Connection) throws -> TenantOutcome {
        var attempt = 1
        let canceller = connection.canceller()
        while true {
            do {
                return try interruption.whileCancellable(canceller) { try attemptOnce(tenant, connection) }
            } catch let error as PostgresError where !error.isConnectionLost && interruption.requested != nil {
                // Stopped by a signal (cancelled, or failing while a stop was asked): the
                // tenant rolled back, and its rows are reported `not_applied`.
                _ = error
                return TenantOutcome(account: tenant.slug, accountID: tenant.accountID, outcome: .rolledBack,
                                     rows: tenant.rows, usersChanged: 0)
            } catch let error as PostgresError where error.isRetryable && attempt < maxAttempts && !error.isConnectionLost {
                // 50 ms, 100 ms, 200 ms, … with jitter, so that retrying runs spread out.
                let base = 0.05 * pow(2.0, Double(attempt - 1))
                Thread.sleep(forTimeInterval: base + Double.random(in: 0...base))
                attempt += 1
            } catch let error as PostgresError where !error.isConnectionLost {
                try markError(tenant, error, connection)
                return TenantOutcome(account: tenant.slug, accountID: tenant.accountID, outcome: .rolledBack,
                                     rows: tenant.rows, usersChanged: 0)
            }
        }
    }

    private func attemptOnce(_ tenant: Tenant, _ connection: Connection) throws -> TenantOutcome {
        let ids: [(any PostgresParameter)?] = [runID, tenant.accountID]
        return try TenantScope.transaction(connection, account: tenant.accountID) { connection in
            let fingerprint = takesFingerprints || plannedFingerprints != nil
                ? try connection.query(sql.fingerprint, ids).scalar : nil
            if let planned = plannedFingerprints, planned[tenant.accountID] != fingerprint {
                try connection.query(sql.markStale, ids)
                return TenantOutcome(account: tenant.slug, accountID: tenant.accountID, outcome: .stale,
                                     rows: tenant.rows, usersChanged: 0)
            }
            let policy = try connection.query(sql.accountPolicy, ids)
            let mfaRequired = PostgresText.bool(policy.scalar) ?? false

            try connection.query(sql.resolveNamedUsers, ids)
            if tenant.hasUserTokens {
                try connection.query(sql.confineUserTokens,
                                     ids + [AuthDenial.tokenOtherUser.message, AuthDenial.tokenOtherUser.reason])
            }
            if tenant.hasStarRows { try connection.query(sql.countEveryone, ids) }
            try connection.execute(script: sql.createWorkTables)
            try connection.query(sql.fillDesired, ids)
            try connection.query(sql.analyzeDesired)
            if mfaRequired { try connection.query(sql.enforcePolicy, ids + [tenant.slug]) }
            try connection.query(sql.markConflicts, ids)

            let failures = Int(try connection.query(sql.countFailures, ids).scalar ?? "0") ?? 0
            if failures > 0 && !partial {
                try connection.query(sql.markNotApplied, ids)
                var outcome = TenantOutcome(account: tenant.slug, accountID: tenant.accountID,
                                            outcome: dryRun ? .dryRun : .rolledBack, rows: tenant.rows, usersChanged: 0)
                outcome.fingerprint = fingerprint
                return outcome
            }

            try connection.query(sql.fillEffective(lock: !dryRun), ids)
            if failures > 0 {
                // --partial with failed rows: keep what they decided out, then make sure
                // what remains still satisfies the policy, until nothing more fails.
                while true {
                    try connection.query(sql.pruneEffective, ids)
                    guard mfaRequired,
                          try connection.query(sql.recheckPolicy, ids + [tenant.slug]).affectedRows > 0 else { break }
                }
            }
            try connection.query(sql.analyzeEffective)
            if !dryRun {
                try connection.query(sql.applyChanges, ids)
                try connection.query(sql.writeAudit, ids)
            }
            let changedStatus = dryRun ? RowStatus.wouldChange : RowStatus.changed
            try connection.query(sql.markChanged, ids + [changedStatus.rawValue])
            try connection.query(sql.markUnchanged, ids)
            let usersChanged = Int(try connection.query(sql.countUsersChanged).scalar ?? "0") ?? 0
            var outcome = TenantOutcome(account: tenant.slug, accountID: tenant.accountID,
                                        outcome: dryRun ? .dryRun : .committed, rows: tenant.rows, usersChanged: usersChanged)
            outcome.fingerprint = fingerprint
            return outcome
        }
    }

    /// After the tenant's transaction failed for good: its undecided rows become
    /// `error`, with the SQLSTATE and message.
    private func markError(_ tenant: Tenant, _ error: PostgresError, _ connection: Connection) throws {
        let text = "database error" + (error.sqlState.map { " \($0)" } ?? "") + ": " + error.message
        try connection.query("""
            UPDATE run_rows SET status = 'error', error = $3, reason = 'database error'
            WHERE run_id = $1 AND account_id = $2 AND status IS NULL
            """, [runID, tenant.accountID, text])
    }
}
