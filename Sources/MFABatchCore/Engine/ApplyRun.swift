import Foundation
import Postgres

/// `apply`, `apply --dry-run`, `plan` and `apply PLAN`: the whole run, in phases.
///
/// 1. *record*: the run's `job_runs` row and its locks (`RunRecord`, `RunLock`);
/// 2. *stage*: stream the manifest into a local spool grouped by tenant, each row
///    schema-checked and authorized on the way (`RowStager`, `RunSpool`);
/// 3. *decide per tenant*, in order of first appearance, one transaction each
///    (`TenantScheduler`, `TenantApplier`, `TenantDecider`);
/// 4. *reconcile* after a lost connection: ask the database what committed;
/// 5. *report*: every row in manifest order from the local outcome store, so the
///    report needs no database;
/// 6. *record* the outcome.
public struct ApplyRun {
    public struct Options: Sendable {
        public var mode: RunMode
        public var partial: Bool
        public var job: String?
        public var fallbacks: Authorizer.Fallbacks
        /// Tenants applied at once, each on its own connection (`--parallel`).
        public var parallel: Int
        /// Applying a saved plan: each tenant's fingerprint when planned.
        public var plannedFingerprints: [UUID: String]?
        /// Receives the run's progress (rows staged, each tenant decided), for
        /// `--progress`; called from worker threads with `--parallel`.
        public var progress: (@Sendable (RunProgress) -> Void)?

        public init(mode: RunMode, partial: Bool, job: String?, fallbacks: Authorizer.Fallbacks,
                    parallel: Int = ApplyRun.defaultParallel) {
            self.mode = mode
            self.partial = partial
            self.job = job
            self.fallbacks = fallbacks
            self.parallel = parallel
        }
    }

    /// `--parallel` when not given: one tenant per core, at most 8 (each is a
    /// connection of the server's).
    public static var defaultParallel: Int { max(1, min(8, ProcessInfo.processInfo.activeProcessorCount)) }

    public let settings: ConnectionSettings
    public let schema: SettingsSchema
    public let options: Options

    public init(settings: ConnectionSettings, schema: SettingsSchema, options: Options) {
        self.settings = settings
        self.schema = schema
        self.options = options
    }

    public struct Result {
        public var run: RunInfo
        public var summary: ReportSummary
        public var tenants: [TenantOutcome]
        /// SIGINT / SIGTERM stopped the run between tenants.
        public var interruptedBy: Int32?
        /// The database went away mid-run (exit 3); the report says what committed.
        public var databaseLost: PostgresError?

        public var exitCode: ExitCode {
            if databaseLost != nil { return .database }
            if interruptedBy == 2 { return .interruptedByINT }
            if interruptedBy != nil { return .interruptedByTERM }
            return ExitCode.forFinishedRun(summary)
        }
    }

    /// Runs it. `outputs` receives every row in manifest order and is finished here,
    /// also when the run is interrupted or loses its database mid-run.
    public func run(input: ManifestInput, outputs: RunOutputs, interruption: Interruption = Interruption()) throws -> Result {
        let statements = try TenantStatements(settings: schema.settings)
        var main = try Connection(settings: settings)
        defer { main.close() }
        try checkColumns(main)

        var run = RunInfo(id: UUID(), job: options.job, mode: options.mode, manifest: input.displayName,
                          manifestSHA256: input.sha256, startedAt: Date.nowMilliseconds(), finishedAt: nil,
                          partial: options.partial)
        let runID = run.id!
        let locks = LockWatch(try RunLock(settings: settings, runID: runID, job: options.job))
        defer { locks.release() }
        try RunLock.markDeadRuns(main)
        try RunRecord.start(main, run: run)

        // Stage. A signal or a lost database stops staging (the rest of the manifest
        // is still read, offline, so every row is reported), and then no tenant starts.
        // Lookups on a connection of their own: a signal cancels what it runs, and that
        // cancel must never land on a bookkeeping statement of `main` later.
        let lookups = try Connection(settings: settings)
        defer { lookups.close() }
        let authorizer = Authorizer(store: PostgresCredentialStore(connection: lookups), fallbacks: options.fallbacks)
        let staged: StagedRows
        let stageEnd: RowStager.End
        do {
            let spool = try RunSpool()
            let reader = try input.open(schema: schema)
            stageEnd = try interruption.whileCancellable(lookups.canceller()) {
                try RowStager(schema: schema, authorizer: authorizer).stage(reader, into: spool, interruption: interruption)
            }
            staged = try spool.finish()
            lookups.close()
        } catch {
            // Nothing was applied, and the run is not left running: refused for a
            // manifest found unusable mid-stream (exit 2), a database error otherwise.
            try? RunRecord.end(main, runID: runID, outcome: error is ManifestError ? .refused : .databaseError)
            throw error
        }
        var lost: PostgresError?
        var unexpected: (any Error)?
        var database: Connection? = main
        if case .databaseLost(let error) = stageEnd {
            lost = error
            database = reconnect(&main)
        }
        let outcomes = try OutcomeStore()
        let stoppedWhile: String
        if lost != nil {
            stoppedWhile = "not applied: the database connection was lost while the manifest was read"
        } else {
            stoppedWhile = "not applied: the run was interrupted (\(Self.signalName(interruption.requested))) while the manifest was read"
        }
        do {
            try recordUndecided(staged, outcomes, database, runID,
                                notApplied: RowVerdict(status: .notApplied, error: stageEnd == .complete ? nil : stoppedWhile,
                                                       reason: "not applied"))
        } catch {
            throw failReport(database, runID, tenants: [], error)
        }

        // Decide per tenant.
        let tenantBuckets = staged.buckets.filter(\.isDecided)
        var tenants: [TenantOutcome]
        if stageEnd == .complete {
            options.progress?(.staged(rows: staged.rowCount, tenants: tenantBuckets.count,
                                      tenantRows: tenantBuckets.reduce(0) { $0 + $1.rows }))
            let applier = TenantApplier(runID: runID, statements: statements, staged: staged, outcomes: outcomes,
                                        dryRun: options.mode != .apply, partial: options.partial,
                                        plannedFingerprints: options.plannedFingerprints,
                                        takesFingerprints: options.mode == .plan, interruption: interruption)
            let scheduled = TenantScheduler(applier: applier, settings: settings, parallel: options.parallel,
                                            progress: options.progress, guardrail: { locks.check() })
                .run(tenantBuckets, interruption: interruption)
            tenants = scheduled.tenants
            lost = scheduled.lost
            unexpected = scheduled.unexpected
            // A tenant committed but its verdicts could not be kept locally: no true
            // report can be written from here.
            if let failed = unexpected as? LocalRecordFailed {
                throw failReport(database, runID, tenants: tenants, failed.error)
            }
            // Reconcile: a tenant in flight may have committed after all.
            if lost != nil {
                database = reconnect(&main)
                if let database { tenants = try reconcile(tenants, outcomes, database, runID) }
            }
        } else {
            tenants = tenantBuckets.map { bucket in
                TenantOutcome(account: bucket.slug ?? "", accountID: bucket.accountID, outcome: .rolledBack,
                              rows: bucket.rows, usersChanged: 0)
            }
        }
        // Nothing is written in a dry run or a plan: a tenant it never reached is not
        // "rolled back".
        if options.mode != .apply {
            tenants = tenants.map { tenant in
                guard !tenant.rowsRecorded, tenant.outcome == .rolledBack else { return tenant }
                var previewed = tenant
                previewed.outcome = .dryRun
                return previewed
            }
        }
        let why: String
        if stageEnd != .complete {
            why = stoppedWhile
        } else if let unexpected {
            why = "not applied: the run stopped on an unexpected error before this tenant committed (\(type(of: unexpected)))"
        } else if lost != nil {
            why = "not applied: the run stopped before this tenant committed (\(lost?.message ?? "database lost"))"
        } else if let signal = interruption.requested {
            why = "not applied: the run was interrupted (\(Self.signalName(signal))) before this tenant started"
        } else {
            why = "not applied"
        }
        do {
            try recordUnfinished(tenants, tenantBuckets, staged, outcomes, database, runID, notApplied: why)
        } catch {
            throw failReport(database, runID, tenants: tenants, error)
        }

        // Report.
        do {
            try outputs.begin(run: run)
            let rawRows = outputs.wantsRawRows ? try input.open(schema: schema) : nil
            let reader = OutcomeStore.Reader(outcomes)
            try staged.forEachDisplayRow { row, line, account, user, comment in
                let verdict = try reader.verdict(row: row) ?? RowVerdict.notApplied
                let outcome = RowOutcome(row: row, line: line, account: account, user: user, status: verdict.status,
                                         error: verdict.error, usersMatched: verdict.usersMatched,
                                         usersChanged: verdict.usersChanged, comment: comment, reason: verdict.reason)
                var raw: RawRow?
                if let rawRows {
                    while let next = try rawRows.next() {
                        if next.row == row { raw = next; break }
                    }
                }
                try outputs.write(outcome, raw: raw)
            }
            run.finishedAt = Date.nowMilliseconds()
            try outputs.finish(run: run, tenants: tenants)
        } catch {
            // Tenants may have committed: the run failed mid-way (exit 3), and says so
            // in its history; `runs show RUN_ID --report` can write the report again.
            // Counts only when every row was counted (the report failed at the end).
            let counted = outputs.summary.rows == staged.rowCount ? outputs.summary : nil
            throw failReport(database, runID, tenants: tenants, summary: counted, error)
        }

        // Record.
        let summary = outputs.summary
        let outcome: RunOutcome = lost != nil || unexpected != nil ? .databaseError
            : interruption.requested != nil ? .interrupted : summary.allSucceeded ? .succeeded : .rowsFailed
        if let database {
            try RunRecord.finish(database, run: run, outcome: outcome, summary: summary, tenants: tenants)
        }
        // Not the database's fault: said as what it is (exit 3), after the report.
        if let unexpected { throw EngineError.stoppedByUnexpectedError(runID: runID, error: unexpected) }
        return Result(run: run, summary: summary, tenants: tenants, interruptedBy: interruption.requested,
                      databaseLost: lost)
    }

    /// Rows that no tenant transaction decides — they reached no tenant, or no row of
    /// their tenant had a valid credential, or staging stopped first — keep the
    /// verdict staging gave them (else `notApplied`), recorded now, outside any tenant.
    private func recordUndecided(_ staged: StagedRows, _ outcomes: OutcomeStore, _ connection: Connection?,
                                 _ runID: UUID, notApplied: RowVerdict) throws {
        var statements: [OutcomeRecords.Deferred] = []
        for bucket in staged.buckets where !bucket.isDecided {
            let rows = try staged.rows(of: bucket)
            let verdicts = rows.map { $0.row.failure?.verdict
                ?? notApplied }
            try outcomes.record(zip(rows, verdicts).map { ($0.row.row, $1) })
            statements += OutcomeRecords.insert(runID: runID, accountID: bucket.accountID, rows: rows, verdicts: verdicts)
            if statements.count >= 20 {
                try writeRecords(statements, connection)
                statements.removeAll()
            }
        }
        try writeRecords(statements, connection)
    }

    /// Outcome records written outside a tenant, best effort: skipped when the
    /// database is gone or refuses them (the report comes from the local outcome store
    /// either way).
    private func writeRecords(_ statements: [OutcomeRecords.Deferred], _ connection: Connection?) throws {
        guard let connection, connection.isConnected else { return }
        do {
            try OutcomeRecords.write(statements, on: connection)
        } catch let error as PostgresError {
            // A database that is gone or refuses writes: the report still comes from
            // the local store; `runs show` then lacks these rows.
            _ = error
        }
    }

    /// The run's tenants were (or may have been) decided but its report cannot be
    /// written truthfully (a full $TMPDIR, an unwritable report): the run is recorded
    /// `report_failed` with its tenants, so `runs show RUN_ID --report` can write the
    /// report again from the database (exit 3).
    private func failReport(_ database: Connection?, _ runID: UUID, tenants: [TenantOutcome],
                            summary: ReportSummary? = nil, _ error: any Error) -> EngineError {
        if let database {
            try? RunRecord.end(database, runID: runID, outcome: .reportFailed, tenants: tenants, summary: summary)
        }
        if let failure = error as? EngineError { return failure }
        return EngineError.reportFailed(runID: runID, message: "\(error)")
    }

    /// A new main connection after the old one was lost (a few attempts), or nil.
    private func reconnect(_ main: inout Connection) -> Connection? {
        guard let connection = Reconnect.attempt(settings) else { return nil }
        main.close()
        main = connection
        return connection
    }

    static func signalName(_ signal: Int32?) -> String {
        signal == 2 ? "SIGINT" : "SIGTERM"
    }

    /// After a lost connection and a reconnect: a tenant in flight may have committed
    /// after all; its outcome record (committed with it) says so, and gives its rows'
    /// verdicts.
    private func reconcile(_ tenants: [TenantOutcome], _ outcomes: OutcomeStore, _ connection: Connection,
                           _ runID: UUID) throws -> [TenantOutcome] {
        try tenants.map { tenant in
            guard !tenant.rowsRecorded, let id = tenant.accountID else { return tenant }
            let records = try connection.query("""
                SELECT r.row_no, r.status, r.error, r.reason, r.users_matched, r.users_changed
                FROM run_outcomes o,
                     unnest(o.row_no, o.status, o.error, o.reason, o.users_matched, o.users_changed)
                         AS r(row_no, status, error, reason, users_matched, users_changed)
                WHERE o.run_id = $1 AND o.account_id = $2
                """, [runID, id])
            // A tenant that failed for good has records too, written outside its rolled-
            // back transaction, with its open rows `error`: not a commit.
            let statuses = try records.decodedRows.map { try $0.decode("status", as: String.self) }
            guard !records.rows.isEmpty, !statuses.contains(RowStatus.error.rawValue) else {
                var rolledBack = tenant
                rolledBack.outcome = .rolledBack
                return rolledBack
            }
            var verdicts: [(row: Int, verdict: RowVerdict)] = []
            for row in records.decodedRows {
                let text: String = try row.decode("status")
                guard let status = RowStatus(rawValue: text) else {
                    throw PostgresError(kind: .decoding, message: "run_outcomes.status: unknown status \(text)")
                }
                verdicts.append((try row.decode("row_no"), RowVerdict(
                    status: status, error: try row.decodeIfPresent("error"), reason: try row.decodeIfPresent("reason"),
                    usersMatched: try row.decodeIfPresent("users_matched"), usersChanged: try row.decodeIfPresent("users_changed"))))
            }
            try outcomes.record(verdicts)
            let changed = try connection.query("""
                SELECT count(DISTINCT user_id) AS users FROM mfa_audit WHERE run_id = $1 AND account_id = $2
                """, [runID, id]).singleRow().decode("users", as: Int.self)
            var committed = tenant
            committed.outcome = options.mode == .apply ? .committed : .dryRun
            committed.usersChanged = changed
            committed.rowsRecorded = true
            return committed
        }
    }

    /// Rows of tenants that did not run to an end (a signal, a lost connection):
    /// `not_applied`, saying why — or `error` for the tenant whose COMMIT was in
    /// flight when the database could not be asked again (outcome `unknown`).
    private func recordUnfinished(_ tenants: [TenantOutcome], _ buckets: [RunSpool.Bucket], _ staged: StagedRows,
                                  _ outcomes: OutcomeStore, _ connection: Connection?, _ runID: UUID,
                                  notApplied: String) throws {
        var statements: [OutcomeRecords.Deferred] = []
        for (tenant, bucket) in zip(tenants, buckets) where !tenant.rowsRecorded {
            let rows = try staged.rows(of: bucket)
            let open = tenant.outcome == .unknown
                ? RowVerdict(status: .error, error: "the database connection was lost during this tenant's COMMIT; whether it committed is unknown (mfa-batch runs show \(runID.uuidString.lowercased()))",
                             reason: "database connection lost")
                : RowVerdict(status: .notApplied, error: notApplied, reason: "not applied")
            let verdicts = rows.map { $0.row.failure?.verdict ?? open }
            try outcomes.record(zip(rows, verdicts).map { ($0.row.row, $1) })
            if tenant.outcome != .unknown {
                statements += OutcomeRecords.insert(runID: runID, accountID: bucket.accountID, rows: rows, verdicts: verdicts)
            }
        }
        try writeRecords(statements, connection)
    }

    /// Every setting of the spec must be a column of `users`.
    private func checkColumns(_ connection: Connection) throws {
        let result = try connection.query("""
            SELECT column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = 'users' AND data_type = 'boolean'
            """)
        let columns = Set(try result.decodedRows.map { try $0.decode("column_name", as: String.self) })
        let missing = schema.settings.filter { !columns.contains($0) }
        if !missing.isEmpty { throw EngineError.missingColumns(missing) }
    }
}
