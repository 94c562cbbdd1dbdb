import Foundation
import Postgres

/// Reads a run's row outcomes back from `run_rows` in manifest order, a page at a
/// time (keyset pagination on the primary key), so a report of millions of rows is
/// written without holding it in memory.
struct RunRowsReader {
    let runID: UUID
    let connection: Connection
    var pageSize = 10_000

    /// Calls `body` once per row, in row order.
    func forEach(_ body: (RowOutcome) throws -> Void) throws {
        var after = 0
        while true {
            let page = try connection.query("""
                SELECT row_no, line, account, user_text, coalesce(status, 'not_applied'), error,
                       users_matched, users_changed, comment, reason
                FROM run_rows WHERE run_id = $1 AND row_no > $2 ORDER BY row_no LIMIT $3
                """, [runID, after, pageSize])
            for values in page.rows {
                let status = RowStatus(rawValue: values[4] ?? "") ?? .error
                let outcome = RowOutcome(
                    row: Int(values[0] ?? "0") ?? 0, line: Int(values[1] ?? "0") ?? 0,
                    account: values[2] ?? "", user: values[3] ?? "", status: status, error: values[5],
                    usersMatched: values[6].flatMap { Int($0) }, usersChanged: values[7].flatMap { Int($0) },
                    comment: values[8], reason: values[9] ?? (status == .notApplied ? "not applied" : nil))
                try body(outcome)
                after = outcome.row
            }
            if page.rows.count < pageSize { return }
        }
    }
}
