import Foundation
import Postgres

/// `mfa-batch runs` and `runs show`: the runs recorded in `job_runs`, and a run's
/// report re-exported from its `run_outcomes` records, byte for byte what the run wrote.
public enum RunHistory {
    public struct Entry: Sendable {
        public var id: String
        public var job: String?
        public var mode: String
        public var startedAt: String
        public var finishedAt: String?
        public var outcome: String
        /// The summary counts as JSON text, nil while running.
        public var counts: String?
        public var manifest: String
    }

    /// The newest `limit` runs, newest first. Runs recorded as running whose process
    /// is gone are marked `died` first.
    public static func list(_ connection: Connection, limit: Int) throws -> [Entry] {
        try RunLock.markDeadRuns(connection)
        return try connection.query(entrySQL + " ORDER BY started_at DESC, id LIMIT $1", [limit]).decodedRows.map(entry)
    }

    public static func find(_ connection: Connection, id: UUID) throws -> Entry? {
        try RunLock.markDeadRuns(connection)
        return try connection.query(entrySQL + " WHERE id = $1", [id]).decodedRows.first.map(entry)
    }

    private static let entrySQL = """
        SELECT id, job, mode, \(ISOTimestampSQL.render("started_at")) AS started_at,
               \(ISOTimestampSQL.render("finished_at")) AS finished_at, outcome, counts::text AS counts, manifest
        FROM job_runs
        """

    private static func entry(_ row: PostgresRow) throws -> Entry {
        Entry(id: try row.decode("id"), job: try row.decodeIfPresent("job"), mode: try row.decode("mode"),
              startedAt: try row.decode("started_at"), finishedAt: try row.decodeIfPresent("finished_at"),
              outcome: try row.decode("outcome"), counts: try row.decodeIfPresent("counts"),
              manifest: try row.decode("manifest"))
    }

    /// Writes the run's report again to `outputs` (which prints the summary unless quiet).
    public static func reexport(_ connection: Connection, id: UUID, outputs: RunOutputs) throws {
        guard let row = try connection.query("""
            SELECT job, mode, manifest, manifest_sha256, partial,
                   (extract(epoch FROM started_at) * 1000)::bigint AS started_ms,
                   (extract(epoch FROM finished_at) * 1000)::bigint AS finished_ms, tenants::text AS tenants
            FROM job_runs WHERE id = $1
            """, [id]).decodedRows.first else { return }
        let modeText: String = try row.decode("mode")
        guard let mode = RunMode(rawValue: modeText) else {
            throw PostgresError(kind: .decoding, message: "job_runs.mode: unknown mode \(modeText)")
        }
        let run = RunInfo(
            id: id, job: try row.decodeIfPresent("job"), mode: mode, manifest: try row.decode("manifest"),
            manifestSHA256: try row.decodeIfPresent("manifest_sha256"),
            startedAt: Date(milliseconds: try row.decode("started_ms")),
            finishedAt: try row.decodeIfPresent("finished_ms", as: Int64.self).map(Date.init(milliseconds:)),
            partial: try row.decode("partial"))
        try outputs.begin(run: run)
        try forEachOutcome(connection, runID: id) { try outputs.write($0, raw: nil) }
        let recorded: String? = try row.decodeIfPresent("tenants")
        try outputs.finish(run: run, tenants: try recorded.map { tenants(fromJSON: $0) }
                                             ?? derivedTenants(connection, runID: id, mode: mode))
    }

    /// A run's row outcomes in manifest order, from its `run_outcomes` records (one
    /// per tenant or chunk, rows as arrays), sorted by the server and read through a
    /// cursor a page at a time, so a report of millions of rows is written without
    /// holding it in memory.
    static func forEachOutcome(_ connection: Connection, runID: UUID, pageSize: Int = 10_000,
                               _ body: (RowOutcome) throws -> Void) throws {
        try connection.transaction(isolation: .repeatableRead) { connection in
            try connection.query("""
                DECLARE run_outcomes_in_order NO SCROLL CURSOR FOR
                SELECT r.row_no, r.line, r.account, r.user_text, r.status, r.error, r.users_matched, r.users_changed,
                       r.comment, r.reason
                FROM run_outcomes o,
                     unnest(o.row_no, o.line, o.account, o.user_text, o.status, o.error, o.users_matched,
                            o.users_changed, o.comment, o.reason)
                         AS r(row_no, line, account, user_text, status, error, users_matched, users_changed, comment, reason)
                WHERE o.run_id = $1
                ORDER BY r.row_no
                """, [runID])
            while true {
                let page = try connection.query("FETCH \(pageSize) FROM run_outcomes_in_order")
                for row in page.decodedRows {
                    let text: String = try row.decode("status")
                    guard let status = RowStatus(rawValue: text) else {
                        throw PostgresError(kind: .decoding, message: "run_outcomes.status: unknown status \(text)")
                    }
                    try body(RowOutcome(
                        row: try row.decode("row_no"), line: try row.decode("line"), account: try row.decode("account"),
                        user: try row.decode("user_text"), status: status, error: try row.decodeIfPresent("error"),
                        usersMatched: try row.decodeIfPresent("users_matched"),
                        usersChanged: try row.decodeIfPresent("users_changed"), comment: try row.decodeIfPresent("comment"),
                        reason: try row.decodeIfPresent("reason")))
                }
                if page.rows.count < pageSize { return }
            }
        }
    }

    /// The tenants of a run that ended without recording them (killed with kill -9):
    /// those whose rows were decided, from their outcome records, which commit with
    /// each tenant. A tenant with an `error` row rolled back, one with `stale` rows
    /// was stale, one whose valid rows were `not_applied` rolled back; the others
    /// committed (dry runs and plans: previewed). Users changed come from the audit
    /// trail (dry runs: the rows' counts). Tenants whose rows all failed their checks
    /// are not told from tenants no row had a valid credential for, and are left out.
    static func derivedTenants(_ connection: Connection, runID: UUID, mode: RunMode) throws -> [TenantOutcome] {
        try connection.query("""
            SELECT o.account_id, a.slug, sum(cardinality(o.row_no))::bigint AS rows,
                   bool_or('error' = ANY (o.status)) AS failed, bool_or('stale' = ANY (o.status)) AS stale,
                   bool_or('not_applied' = ANY (o.status)) AS held,
                   bool_or(o.status && ARRAY['changed', 'would_change', 'unchanged', 'not_applied', 'stale', 'error'])
                       AS decided,
                   (SELECT count(DISTINCT m.user_id) FROM mfa_audit m
                    WHERE m.account_id = o.account_id AND m.run_id = $1)::bigint AS audited,
                   coalesce(sum((SELECT sum(c) FROM unnest(o.users_changed) c)), 0)::bigint AS credited
            FROM run_outcomes o JOIN accounts a ON a.id = o.account_id
            WHERE o.run_id = $1
            GROUP BY o.account_id, a.slug
            ORDER BY min(o.first_row)
            """, [runID]).decodedRows.compactMap { row in
            guard try row.decode("decided", as: Bool.self) else { return nil }
            let outcome: TenantOutcome.Outcome
            if try row.decode("failed", as: Bool.self) {
                outcome = .rolledBack
            } else if try row.decode("stale", as: Bool.self) {
                outcome = .stale
            } else if mode != .apply {
                outcome = .dryRun
            } else if try row.decode("held", as: Bool.self) {
                outcome = .rolledBack
            } else {
                outcome = .committed
            }
            let users: Int = mode == .apply ? try row.decode("audited") : try row.decode("credited")
            return TenantOutcome(account: try row.decode("slug"), accountID: try row.decode("account_id"),
                                 outcome: outcome, rows: try row.decode("rows"),
                                 usersChanged: outcome == .committed || outcome == .dryRun ? users : 0)
        }
    }

    static func tenants(fromJSON text: String?) -> [TenantOutcome] {
        guard let text, let array = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] else {
            return []
        }
        return array.map { object in
            TenantOutcome(
                account: object["account"] as? String ?? "",
                accountID: (object["account_id"] as? String).flatMap(UUID.init(uuidString:)),
                outcome: TenantOutcome.Outcome(rawValue: object["outcome"] as? String ?? "") ?? .rolledBack,
                rows: (object["rows"] as? NSNumber)?.intValue ?? 0,
                usersChanged: (object["users_changed"] as? NSNumber)?.intValue ?? 0)
        }
    }

    /// Deletes finished runs that started more than `olderThanSeconds` ago, with their
    /// row outcomes (`run_outcomes`), to keep the history of nightly jobs from growing forever.
    /// Runs still running are never deleted; `mfa_audit` is the audit trail and is
    /// kept. Returns the number of runs and rows deleted.
    public static func prune(_ connection: Connection, olderThanSeconds: Int) throws -> (runs: Int, rows: Int) {
        try RunLock.markDeadRuns(connection)
        return try connection.transaction { connection in
            let rows = try connection.query("""
                WITH deleted AS (
                    DELETE FROM run_outcomes WHERE run_id IN (
                        SELECT id FROM job_runs
                        WHERE outcome <> 'running' AND started_at < now() - make_interval(secs => $1::double precision))
                    RETURNING cardinality(row_no) AS rows)
                SELECT coalesce(sum(rows), 0)::bigint AS rows FROM deleted
                """, [Double(olderThanSeconds)]).singleRow().decode("rows", as: Int.self)
            let runs = try connection.query("""
                DELETE FROM job_runs
                WHERE outcome <> 'running' AND started_at < now() - make_interval(secs => $1::double precision)
                """, [Double(olderThanSeconds)]).affectedRows
            return (runs, rows)
        }
    }
}
