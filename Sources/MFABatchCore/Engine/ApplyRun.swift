import Foundation
import Postgres

/// `apply` and `apply --dry-run` (and, later, `plan`): the whole run.
///
/// 1. record the run in `job_runs`;
/// 2. stream the manifest into `run_rows` (schema check and authorization on the way);
/// 3. per tenant, in manifest order of first appearance, one transaction
///    (`TenantApplier`);
/// 4. stream the outcomes back in manifest order to the reports and rejects.
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
        /// Receives one line per step (rows staged, each tenant decided), for
        /// `--progress`; called from worker threads with `--parallel`.
        public var progress: (@Sendable (String) -> Void)?

        public init(mode: RunMode, partial: Bool, job: String?, fallbacks: Authorizer.Fallbacks, parallel: Int = 1) {
            self.mode = mode
            self.partial = partial
            self.job = job
            self.fallbacks = fallbacks
            self.parallel = parallel
        }
    }

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
        let sql = try TenantSQL(settings: schema.settings)
        var main = try Connection(settings: settings)
        defer { main.close() }
        try checkColumns(main)

        var run = RunInfo(id: UUID(), job: options.job, mode: options.mode, manifest: input.displayName,
                          manifestSHA256: input.sha256, startedAt: Date.nowMilliseconds(), finishedAt: nil,
                          partial: options.partial)
        let runID = run.id!
        let lock = try RunLock(settings: settings, runID: runID, job: options.job)
        defer { lock.release() }
        try RunLock.markDeadRuns(main)
        try RunRecord.start(main, run: run)

        // Stage on a second connection while the first answers the authorizer.
        let lookups = try Connection(settings: settings)
        defer { lookups.close() }
        let authorizer = Authorizer(store: PostgresCredentialStore(connection: lookups), fallbacks: options.fallbacks)
        var staged = Stager.Totals()
        do {
            staged = try Stager(runID: runID, schema: schema, authorizer: authorizer).stage(try input.open(schema: schema), into: main)
        } catch {
            // Nothing was staged (the COPY was aborted), and the run is not left
            // running: refused for a manifest found unusable mid-stream (exit 2), a
            // database error otherwise (exit 3).
            let outcome = error is ManifestError ? "refused" : "database_error"
            _ = try? main.query("UPDATE job_runs SET outcome = $2, finished_at = now() WHERE id = $1", [runID, outcome])
            throw error
        }
        // Fresh statistics, or the planner takes the just-loaded rows for an empty table.
        try main.query("ANALYZE run_rows")

        let applier = TenantApplier(runID: runID, sql: sql, dryRun: options.mode != .apply, partial: options.partial,
                                    plannedFingerprints: options.plannedFingerprints,
                                    takesFingerprints: options.mode == .plan, interruption: interruption)
        let tenantList = try tenantsInOrder(main, runID)
        options.progress?("staged \(staged.rows) rows; \(tenantList.count) tenants to decide")
        let scheduled = TenantScheduler(applier: applier, settings: settings, parallel: options.parallel,
                                        progress: options.progress)
            .run(tenantList, main: main, interruption: interruption)
        var tenants = scheduled.tenants
        let lost = scheduled.lost

        if let lost {
            // The server may be back (a restart): report from it; else from what we know.
            guard let reconnected = Reconnect.attempt(settings) else {
                try writeFallback(input, outputs, runID, run: &run, tenants: tenants, from: 1, begun: false)
                return Result(run: run, summary: outputs.summary, tenants: tenants, interruptedBy: nil, databaseLost: lost)
            }
            main.close()
            main = reconnected
            // The tenant in flight when the connection broke may have committed after
            // all: its rows say so.
            tenants = try tenants.map { tenant in
                guard options.mode == .apply, tenant.outcome == .rolledBack, let id = tenant.accountID else { return tenant }
                let decided = try main.query("""

                    SELECT count(*) FILTER (WHERE status IN ('changed', 'unchanged')),
                           (SELECT count(*) FROM mfa_audit WHERE run_id = $1 AND account_id = $2)
                    FROM run_rows WHERE run_id = $1 AND account_id = $2
                    """, [runID, id]).rows.first
                guard let count = decided?[0].flatMap({ Int($0) }), count > 0 else { return tenant }
                var committed = tenant
                committed.outcome = .committed
                committed.usersChanged = decided?[1].flatMap { Int($0) } ?? 0
                return committed
            }
            try markUndecided(main, runID, error: "not applied: the database connection was lost before this tenant committed")
        } else if let signal = interruption.requested {
            try markUndecided(main, runID, error: "not applied: the run was interrupted (\(signal == 2 ? "SIGINT" : "SIGTERM")) before this tenant started")
        }

        var reported = 0
        do {
            try outputs.begin(run: run)
            let rawRows = outputs.wantsRawRows ? try input.open(schema: schema) : nil
            try RunRowsReader(runID: runID, connection: main).forEach { outcome in
                var raw: RawRow?
                if let rawRows {
                    while let next = try rawRows.next() {
                        if next.row == outcome.row { raw = next; break }
                    }
                }
                try outputs.write(outcome, raw: raw)
                reported = outcome.row
            }
            run.finishedAt = Date.nowMilliseconds()
            try outputs.finish(run: run, tenants: tenants)
        } catch let error as PostgresError where error.isConnectionLost {
            // Lost while reading the outcomes back: the rows not yet reported come
            // from the manifest and what is known in memory (exit 3, report written).
            try writeFallback(input, outputs, runID, run: &run, tenants: tenants, from: reported + 1, begun: true)
            return Result(run: run, summary: outputs.summary, tenants: tenants, interruptedBy: nil, databaseLost: error)
        } catch let error as PostgresError {
            throw error
        } catch {
            // Tenants may have committed: the run failed mid-way (exit 3), and says so
            // in its history; `runs show RUN_ID --report` can write the report again.
            _ = try? main.query("UPDATE job_runs SET outcome = 'report_failed', finished_at = now() WHERE id = $1", [runID])
            throw EngineError.reportFailed(runID: runID, message: "\(error)")
        }
        let summary = outputs.summary
        let outcome = lost != nil ? "database_error" : interruption.requested != nil ? "interrupted"
            : summary.allSucceeded ? "succeeded" : "rows_failed"
        try RunRecord.finish(main, run: run, outcome: outcome, summary: summary, tenants: tenants)
        return Result(run: run, summary: summary, tenants: tenants, interruptedBy: interruption.requested,
                      databaseLost: lost)
    }

    /// Rows no tenant transaction decided become `not_applied`, saying why.
    private func markUndecided(_ connection: Connection, _ runID: UUID, error: String) throws {
        try connection.query("""
            UPDATE run_rows SET status = 'not_applied', error = $2, reason = 'not applied'
            WHERE run_id = $1 AND status IS NULL
            """, [runID, error])
    }

    /// Every setting of the spec must be a column of `users`.
    private func checkColumns(_ connection: Connection) throws {
        let result = try connection.query("""
            SELECT column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = 'users' AND data_type = 'boolean'
            """)
        let columns = Set(result.rows.compactMap { $0[0] })
        let missing = schema.settings.filter { !columns.contains($0) }
        if !missing.isEmpty { throw EngineError.missingColumns(missing) }
    }

    /// The tenants to decide, in order of first appearance: only those with at least
    /// one row whose credential was valid for them, so that a caller without one
    /// learns nothing about a tenant from `tenants` (its rows stay 401 / 400).
    /// `FallbackReport.write` for rows `from` on; its failure is a report failure
    /// (exit 3: tenants may have committed), not a manifest or usage error.
    private func writeFallback(_ input: ManifestInput, _ outputs: RunOutputs, _ runID: UUID, run: inout RunInfo,
                               tenants: [TenantOutcome], from row: Int, begun: Bool) throws {
        do {
            try FallbackReport.write(input: input, schema: schema, run: &run, tenants: tenants, outputs: outputs,
                                     from: row, begun: begun)
        } catch {
            throw EngineError.reportFailed(runID: runID, message: "\(error)")
        }
    }

    private func tenantsInOrder(_ connection: Connection, _ runID: UUID) throws -> [TenantApplier.Tenant] {
        let result = try connection.query("""
            SELECT r.account_id, a.slug, count(*),
                   bool_or(r.user_all AND r.status IS NULL), bool_or(r.restricted_to IS NOT NULL)
            FROM run_rows r JOIN accounts a ON a.id = r.account_id
            WHERE r.run_id = $1 GROUP BY r.account_id, a.slug
            HAVING bool_or(r.principal IS NOT NULL)
            ORDER BY min(r.row_no)
            """, [runID])
        return result.rows.compactMap { row in
            guard let id = row[0].flatMap(UUID.init(uuidString:)), let slug = row[1] else { return nil }
            return TenantApplier.Tenant(accountID: id, slug: slug, rows: Int(row[2] ?? "0") ?? 0,
                                        hasStarRows: row[3] != "f", hasUserTokens: row[4] != "f")
        }
    }
}
