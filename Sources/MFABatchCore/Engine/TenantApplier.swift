import Crypto
import Foundation
import Postgres

/// One tenant, in one transaction confined to it by `TenantScope` (RLS context,
/// non-owner role, advisory lock that serializes runs on the same tenant, lock and
/// statement time-outs), in three round trips, the first two pipelined:
///
/// 1. `BEGIN`, enter the tenant, (the plan fingerprint,) the account's policy and
///    the users the rows touch;
/// 2. after `TenantDecider` decided in Swift: the `UPDATE` of the changed users and
///    their audit rows (both set-based, from arrays) and the rows' outcome records;
/// 3. `COMMIT`, alone, once the writes succeeded.
///
/// Outcomes commit with the changes, so a kill -9 never leaves a committed tenant
/// without its outcomes or the reverse. Serialization failures (including users
/// changed by a concurrent writer since they were read), deadlocks and lock
/// time-outs are retried with backoff; other database errors make the tenant's open
/// rows `error`, recorded outside the rolled-back transaction.
///
/// Without `partial`, a tenant with any failing row changes nothing: only the rows'
/// outcomes are committed, its valid rows `not_applied`.
struct TenantApplier: Sendable {
    let runID: UUID
    let statements: TenantStatements
    let staged: StagedRows
    let outcomes: OutcomeStore
    let dryRun: Bool
    let partial: Bool
    /// Applying a saved plan: the fingerprint each tenant had when planned. A tenant
    /// whose data differs now (or that the plan did not have) is refused as `stale`.
    var plannedFingerprints: [UUID: String]? = nil
    /// Take each tenant's fingerprint: when saving a plan, or applying one.
    var takesFingerprints = false
    /// SIGINT/SIGTERM: cancels the tenant in progress and stops retries.
    var interruption = Interruption()
    var maxAttempts = 5

    /// Decides and writes the tenant. Throws only when the connection is lost; the
    /// returned outcome says whether its rows' verdicts were recorded (not when a
    /// signal stopped it first).
    func apply(_ bucket: RunSpool.Bucket, on connection: Connection) throws -> TenantOutcome {
        guard let accountID = bucket.accountID, let slug = bucket.slug else {
            preconditionFailure("only buckets of a tenant are applied")
        }
        let rows = try staged.rows(of: bucket)
        var attempt = 1
        let canceller = connection.canceller()
        while true {
            do {
                let (outcome, verdicts) = try interruption.whileCancellable(canceller) {
                    try attemptOnce(accountID, slug, rows, connection)
                }
                var recorded = outcome
                do {
                    try outcomes.record(zip(rows, verdicts).map { ($0.row.row, $1) })
                } catch {
                    // Committed, but the local outcome store failed (a full $TMPDIR): the
                    // run cannot write a true report; it says so (exit 3), and `runs show
                    // --report` re-exports from the database.
                    throw LocalRecordFailed(outcome: outcome, error: error)
                }
                recorded.rowsRecorded = true
                return recorded
            } catch let error as PostgresError where !error.isConnectionLost && interruption.requested != nil {
                // Stopped by a signal (cancelled, or failing while a stop was asked): the
                // tenant rolled back; the run reports its rows `not_applied`.
                _ = error
                return TenantOutcome(account: slug, accountID: accountID, outcome: .rolledBack, rows: rows.count,
                                     usersChanged: 0)
            } catch let error as PostgresError where error.isRetryable && attempt < maxAttempts && !error.isConnectionLost {
                // 50 ms, 100 ms, 200 ms, … with jitter, so that retrying runs spread out.
                let base = 0.05 * pow(2.0, Double(attempt - 1))
                Thread.sleep(forTimeInterval: base + Double.random(in: 0...base))
                attempt += 1
            } catch let error as PostgresError where !error.isConnectionLost {
                let message = "database error" + (error.sqlState.map { " \($0)" } ?? "") + ": " + error.message
                let verdicts = rows.map { row in
                    row.row.failure?.verdict
                        ?? RowVerdict(status: .error, error: message, reason: "database error")
                }
                // Recorded in the database outside the rolled-back transaction, best
                // effort: a database that refuses writes (disk full, read-only) refuses
                // this too, and the report comes from the local store either way.
                do {
                    try OutcomeRecords.write(OutcomeRecords.insert(runID: runID, accountID: accountID, rows: rows,
                                                                   verdicts: verdicts), on: connection)
                } catch let recordError as PostgresError where !recordError.isConnectionLost {
                    _ = recordError
                }
                do {
                    try outcomes.record(zip(rows, verdicts).map { ($0.row.row, $1) })
                } catch {
                    throw LocalRecordFailed(outcome: TenantOutcome(account: slug, accountID: accountID, outcome: .rolledBack,
                                                                   rows: rows.count, usersChanged: 0), error: error)
                }
                var failed = TenantOutcome(account: slug, accountID: accountID, outcome: .rolledBack, rows: rows.count,
                                           usersChanged: 0)
                failed.rowsRecorded = true
                return failed
            }
        }
    }

    private func attemptOnce(_ accountID: UUID, _ slug: String, _ rows: [SpooledRow], _ connection: Connection) throws
        -> (TenantOutcome, [RowVerdict]) {
        var ids = Set<UUID>()
        var emails = Set<String>()
        var everyone = false
        for spooled in rows {
            switch spooled.row.selector {
            case .id(let id)?: ids.insert(id)
            case .email(let email)?: emails.insert(email)
            case .all?: if spooled.row.failure == nil { everyone = true }
            case nil: break
            }
        }
        // Round trip 1: enter the tenant and read what the decision needs. The
        // revocation check runs as the connecting role, before the switch to the
        // tenant role (which may not read api_keys / jwt_keys).
        let keys = Set(rows.compactMap { $0.row.principal?.key })
        let revokedAt = keys.isEmpty ? nil : TenantScope.firstConnectingRoleStatement
        var first = TenantScope.opening(
            account: accountID,
            asConnectingRole: keys.isEmpty ? [] : [statements.revokedKeys(account: accountID, keys: keys)])
        let fingerprintAt = takesFingerprints || plannedFingerprints != nil ? first.count : nil
        if fingerprintAt != nil { first.append(statements.fingerprint(account: accountID)) }
        let policyAt = first.count
        first.append(statements.policy(account: accountID))
        let usersAt = first.count
        first.append(statements.users(account: accountID, ids: Array(ids), emails: Array(emails), everyone: everyone))
        let read = try connection.pipeline(first)
        if let error = Pipelined.firstError(read) {
            connection.rollbackIgnoringErrors()
            throw error
        }
        // A plan pins who was authorized as well as the data: the digest of each row's
        // verdict and principal is part of the tenant's fingerprint.
        let fingerprint: String? = try fingerprintAt.map {
            let data: String = try Pipelined.result(read, $0).singleRow().decode("fingerprint")
            return data + ":" + Self.authorizationDigest(rows)
        }
        let mfaRequired: Bool = try Pipelined.result(read, policyAt).singleRow().decode("mfa_required")
        let users = try statements.decodeUsers(try Pipelined.result(read, usersAt))
        let revoked = try revokedAt.map { try statements.decodeRevokedKeys(try Pipelined.result(read, $0)) } ?? []
        let rows = revoked.isEmpty ? rows : rows.map { Self.revoking(revoked, in: $0) }

        var outcome = TenantOutcome(account: slug, accountID: accountID, outcome: dryRun ? .dryRun : .committed,
                                    rows: rows.count, usersChanged: 0)
        outcome.fingerprint = fingerprint
        let verdicts: [RowVerdict]
        var writes: [OutcomeRecords.Deferred] = []
        if let planned = plannedFingerprints, planned[accountID] != fingerprint {
            outcome.outcome = .stale
            verdicts = rows.map { row in
                row.row.failure?.verdict
                    ?? RowVerdict(status: .stale, error: "the tenant's data changed since the plan was made; plan again",
                                  reason: "tenant changed since planning")
            }
        } else {
            let decision = TenantDecider(settings: statements.settings, account: slug, mfaRequired: mfaRequired,
                                         partial: partial, dryRun: dryRun)
                .decide(rows: rows.map(\.row), users: users)
            verdicts = decision.verdicts
            outcome.usersChanged = decision.usersChanged
            if !dryRun && !decision.changes.isEmpty {
                let changes = decision.changes, audit = decision.audit
                writes.append(OutcomeRecords.Deferred { statements.update(account: accountID, changes: changes) })
                writes.append(OutcomeRecords.Deferred { statements.audit(account: accountID, runID: runID, entries: audit) })
            }
            // Without --partial, a failing row keeps the whole tenant from changing.
            if !dryRun && !partial && verdicts.contains(where: { $0.status == .invalid || $0.status == .unauthorized }) {
                outcome.outcome = .rolledBack
            }
        }
        // Round trip 2: the changes, the audit, the outcomes.
        writes += OutcomeRecords.insert(runID: runID, accountID: accountID, rows: rows, verdicts: verdicts)
        let written = try connection.pipeline(count: writes.count) { writes[$0].make() }
        if let error = Pipelined.firstError(written) {
            connection.rollbackIgnoringErrors()
            throw error
        }
        // COMMIT on its own, after every write succeeded: a run killed before this
        // point commits nothing (a COMMIT already queued on the socket would still
        // run on the server after the client died).
        do {
            try connection.commit()
        } catch let error as PostgresError where error.isConnectionLost {
            throw CommitInFlight(error: error)
        }
        return (outcome, verdicts)
    }
}

extension TenantApplier {
    /// A SHA-256 of every row's number, verdict so far and principal (never a
    /// secret), so a saved plan can tell when a row's credential resolves differently
    /// at apply time (another `MFA_BATCH_API_KEY`, a new key in the credentials file).
    static func authorizationDigest(_ rows: [SpooledRow]) -> String {
        var text = ""
        for spooled in rows {
            let row = spooled.row
            text += "\(row.row)|\(row.failure?.status.rawValue ?? "")|\(row.failure?.reason ?? "")|"
            text += "\(row.principal?.credentialID ?? "")|\(row.principal?.restrictedToUser?.uuidString ?? "")\n"
        }
        return Crypto.hex(Crypto.sha256(Array(text.utf8)))
    }

    /// A row whose key was revoked since it was verified: 401 now, and no longer a
    /// principal (so under `--partial` it holds nothing back either).
    static func revoking(_ revoked: Set<Principal.StoredKey>, in spooled: SpooledRow) -> SpooledRow {
        guard let key = spooled.row.principal?.key, revoked.contains(key) else { return spooled }
        var changed = spooled
        changed.row.principal = nil
        if changed.row.failure == nil {
            let denial: AuthDenial
            switch key {
            case .apiKey: denial = .apiKeyRevoked
            case .jwtKey: denial = .tokenKeyRevoked
            }
            changed.row.failure = .init(status: .unauthorized, error: denial.message + " during the run",
                                        reason: denial.reason)
        }
        return changed
    }
}

/// A tenant ran to its end (`outcome`), but its rows' verdicts could not be kept in
/// the run's local outcome store: the run's report cannot be written truthfully.
struct LocalRecordFailed: Error {
    var outcome: TenantOutcome
    var error: any Error
}

/// The connection broke while a tenant's COMMIT was on its way: whether it committed
/// is for the database to say once it can be asked again.
struct CommitInFlight: Error {
    var error: PostgresError
}
