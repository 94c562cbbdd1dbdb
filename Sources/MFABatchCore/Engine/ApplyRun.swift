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

        public init(mode: RunMode, partial: Bool, job: String?, fallbacks: Authorizer.Fallbacks) {
            self.mode = mode
            self.partial = partial
            self.job = job
            self.fallbacks = fallbacks
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
    }

    /// Runs it. `outputs` receives every row in manifest order and is finished here.
    public func run(input: ManifestInput, outputs: RunOutputs) throws -> Result {
        let sql = try TenantSQL(settings: schema.settings)
        let main = try Connection(settings: settings)
        defer { main.close() }
        try checkColumns(main)

        var run = RunInfo(id: UUID(), job: options.job, mode: options.mode, manifest: input.displayName,
                          manifestSHA256: input.sha256, startedAt: Date(), finishedAt: nil, partial: options.partial)
        try RunRecord.start(main, run: run)
        let runID = run.id!

        // Stage on a second connection while the first answers the authorizer.
        let lookups = try Connection(settings: settings)
        defer { lookups.close() }
        let authorizer = Authorizer(store: PostgresCredentialStore(connection: lookups), fallbacks: options.fallbacks)
        let reader = try input.open(schema: schema)
        _ = try Stager(runID: runID, schema: schema, authorizer: authorizer).stage(reader, into: main)

        let applier = TenantApplier(runID: runID, sql: sql, dryRun: options.mode != .apply, partial: options.partial)
        var tenants: [TenantOutcome] = []
        for tenant in try tenantsInOrder(main, runID) {
            tenants.append(try applier.apply(tenant, on: main))
        }

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
        }
        run.finishedAt = Date()
        try outputs.finish(run: run, tenants: tenants)
        let summary = outputs.summary
        try RunRecord.finish(main, run: run, outcome: summary.allSucceeded ? "succeeded" : "rows_failed",
                             summary: summary, tenants: tenants)
        return Result(run: run, summary: summary, tenants: tenants)
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

    private func tenantsInOrder(_ connection: Connection, _ runID: UUID) throws -> [TenantApplier.Tenant] {
        let result = try connection.query("""
            SELECT r.account_id, a.slug FROM run_rows r JOIN accounts a ON a.id = r.account_id
            WHERE r.run_id = $1 GROUP BY r.account_id, a.slug ORDER BY min(r.row_no)
            """, [runID])
        return result.rows.compactMap { row in
            guard let id = row[0].flatMap(UUID.init(uuidString:)), let slug = row[1] else { return nil }
            return TenantApplier.Tenant(accountID: id, slug: slug)
        }
    }
}
