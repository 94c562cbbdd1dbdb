import Foundation
import Postgres

/// The `job_runs` row of a run: written when it starts, completed when it ends
/// with the outcome, the summary counts and the tenants as reported.
enum RunRecord {
    static func start(_ connection: Connection, run: RunInfo) throws {
        try connection.query("""
            INSERT INTO job_runs (id, job, mode, manifest, manifest_sha256, partial, started_at, host, pid)
            VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7::double precision / 1000), $8, $9)
            """,
            [run.id, run.job, run.mode.rawValue, run.manifest, run.manifestSHA256, run.partial,
             run.startedAt.milliseconds, ProcessInfo.processInfo.hostName, Int(ProcessInfo.processInfo.processIdentifier)])
    }

    /// `outcome`: succeeded, rows_failed, interrupted, database_error.
    static func finish(_ connection: Connection, run: RunInfo, outcome: String, summary: ReportSummary,
                       tenants: [TenantOutcome]) throws {
        var counts = "{\"rows\": \(summary.rows)"
        for status in RowStatus.allCases { counts += ", \"\(status.rawValue)\": \(summary.count(status))" }
        counts += ", \"users_changed\": \(summary.usersChanged)"
        counts += ", \"tenants_committed\": \(summary.tenantsCommitted)"
        counts += ", \"tenants_rolled_back\": \(summary.tenantsRolledBack)}"
        try connection.query("""
            UPDATE job_runs SET finished_at = to_timestamp($2::double precision / 1000), outcome = $3,
                   counts = $4::jsonb, tenants = $5::jsonb
            WHERE id = $1
            """,
            [run.id, (run.finishedAt ?? Date.nowMilliseconds()).milliseconds, outcome, counts, tenantsJSON(tenants)])
    }

    static func tenantsJSON(_ tenants: [TenantOutcome]) -> String {
        "[" + tenants.map { tenant in
            JSONText.object([
                ("account", JSONText.string(tenant.account)),
                ("account_id", tenant.accountID.map { JSONText.string($0.uuidString.lowercased()) } ?? "null"),
                ("outcome", JSONText.string(tenant.outcome.rawValue)),
                ("rows", String(tenant.rows)),
                ("users_changed", String(tenant.usersChanged)),
            ])
        }.joined(separator: ", ") + "]"
    }
}
