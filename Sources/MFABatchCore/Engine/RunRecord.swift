import Foundation
import Postgres

/// The `job_runs` row of a run, and its one owner: written when the run starts,
/// completed when it ends with the outcome, the summary counts and the tenants as
/// reported.
enum RunRecord {
    static func start(_ connection: Connection, run: RunInfo) throws {
        try connection.query("""
            INSERT INTO job_runs (id, job, mode, manifest, manifest_sha256, partial, started_at, host, pid)
            VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7::double precision / 1000), $8, $9)
            """,
            [run.id, run.job, run.mode.rawValue, run.manifest, run.manifestSHA256, run.partial,
             run.startedAt.milliseconds, ProcessInfo.processInfo.hostName, Int(ProcessInfo.processInfo.processIdentifier)])
    }

    static func finish(_ connection: Connection, run: RunInfo, outcome: RunOutcome, summary: ReportSummary,
                       tenants: [TenantOutcome]) throws {
        let counts = OutputBuffer.json { $0.appendJSONSummary(summary) }
        let tenantsJSON = OutputBuffer.json { $0.appendJSONTenants(tenants) }
        try connection.query("""
            UPDATE job_runs SET finished_at = to_timestamp($2::double precision / 1000), outcome = $3,
                   counts = $4::jsonb, tenants = $5::jsonb
            WHERE id = $1
            """,
            [run.id, (run.finishedAt ?? Date.nowMilliseconds()).milliseconds, outcome.rawValue, counts, tenantsJSON])
    }

    /// Ends a run that has no summary (refused, a database error while staging, a
    /// report that could not be written), keeping its tenants when known so that
    /// `runs show --report` can still say what committed.
    static func end(_ connection: Connection, runID: UUID, outcome: RunOutcome, tenants: [TenantOutcome]? = nil,
                    summary: ReportSummary? = nil) throws {
        let tenantsJSON = tenants.map { tenants in OutputBuffer.json { $0.appendJSONTenants(tenants) } }
        let counts = summary.map { summary in OutputBuffer.json { $0.appendJSONSummary(summary) } }
        try connection.query("""
            UPDATE job_runs SET outcome = $2, finished_at = now(), tenants = coalesce($3::jsonb, tenants),
                   counts = coalesce($4::jsonb, counts)
            WHERE id = $1
            """, [runID, outcome.rawValue, tenantsJSON, counts])
    }
}
