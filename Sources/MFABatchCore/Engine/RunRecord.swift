import Foundation
import Postgres

/// The `job_runs` row of a run: written when it starts, completed when it ends.
enum RunRecord {
    static func start(_ connection: Connection, run: RunInfo) throws {
        try connection.query("""
            INSERT INTO job_runs (id, job, mode, manifest, manifest_sha256, partial, started_at, host, pid)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """,
            [run.id, run.job, run.mode.rawValue, run.manifest, run.manifestSHA256, run.partial, run.startedAt,
             ProcessInfo.processInfo.hostName, Int(ProcessInfo.processInfo.processIdentifier)])
    }

    /// `outcome`: succeeded, rows_failed, interrupted, database_error.
    static func finish(_ connection: Connection, run: RunInfo, outcome: String, summary: ReportSummary,
                       tenants: [TenantOutcome]) throws {
        var counts = "{\"rows\": \(summary.rows)"
        for status in RowStatus.allCases { counts += ", \"\(status.rawValue)\": \(summary.count(status))" }
        counts += ", \"users_changed\": \(summary.usersChanged)"
        counts += ", \"tenants_committed\": \(tenants.filter { $0.outcome == .committed }.count)"
        counts += ", \"tenants_rolled_back\": \(tenants.filter { $0.outcome == .rolledBack }.count)}"
        try connection.query(
            "UPDATE job_runs SET finished_at = $2, outcome = $3, counts = $4::jsonb WHERE id = $1",
            [run.id, run.finishedAt ?? Date(), outcome, counts])
    }
}
