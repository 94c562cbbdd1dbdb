import Foundation
import Postgres

/// The one statement `runs revert` reads: a run's audit rows with the users' values
/// now, in (account, user, manifest row) order, as a server-side cursor.
///
/// For settings `[totp_enabled, passkey_enabled]` it declares (`$1` the run, `$2` the
/// setting names, so no name is spelled into a JSON path; column names are checked
/// plain identifiers, as in `TenantStatements`):
///
/// ```sql
/// DECLARE run_revert NO SCROLL CURSOR FOR
/// SELECT t.account_id, t.slug, a.user_id, a.manifest_row, a.present, a.deleted,
///        (a.before ->> ($2::text[])[1])::boolean AS b0, (a.after ->> ($2::text[])[1])::boolean AS a0, a.n0,
///        CASE WHEN a.is_last AND a.present AND NOT a.deleted
///                  AND a.n0 IS DISTINCT FROM (a.after ->> ($2::text[])[1])::boolean
///             THEN (SELECT l.id::text || ' ' || l.run_id::text || ' ' || <changed_at as ISO 8601>
///                   FROM mfa_audit l
///                   WHERE l.account_id = t.account_id AND l.user_id = a.user_id
///                     AND l.changed_at > a.changed_at AND l.run_id <> $1
///                     AND l.before -> ($2::text[])[1] IS DISTINCT FROM l.after -> ($2::text[])[1]
///                   ORDER BY l.changed_at DESC LIMIT 1) END AS l0,
///        … the same for passkey_enabled (b1, a1, n1, l1)
/// FROM (SELECT o.account_id, (SELECT c.slug FROM accounts c WHERE c.id = o.account_id) AS slug
///       FROM (SELECT DISTINCT account_id FROM run_outcomes WHERE run_id = $1 AND account_id <> '00000000-0000-0000-0000-000000000000') o
///       ORDER BY o.account_id) t
/// CROSS JOIN LATERAL (
///     SELECT m.user_id, m.manifest_row, m.before, m.after, m.changed_at,
///            lead(m.manifest_row) OVER (PARTITION BY m.user_id ORDER BY m.manifest_row) IS NULL AS is_last,
///            u.id IS NOT NULL AS present, u.deleted_at IS NOT NULL AS deleted,
///            u."totp_enabled" AS n0, u."passkey_enabled" AS n1
///     FROM mfa_audit m LEFT JOIN users u ON u.account_id = t.account_id AND u.id = m.user_id
///     WHERE m.account_id = t.account_id AND m.run_id = $1) a
/// ORDER BY t.account_id, a.user_id, a.manifest_row
/// ```
///
/// Why this shape (PostgreSQL 15, `EXPLAIN ANALYZE` on 20 tenants × 1,000 users):
/// - The run's tenants come from its `run_outcomes` (one record per tenant, kept as
///   long as the run is), sorted; each tenant's audit rows are then found through the
///   `(account_id, run_id)` index and its users through the primary key's
///   `account_id` prefix, inside the per-tenant subquery. Joining `users` outside it
///   made the planner scan every user of every tenant once per tenant (quadratic).
/// - The outer order is then an incremental sort (presorted by account): one small
///   in-memory sort per tenant, never a sort of the whole run.
/// - The later audit row (`l0`, …) is looked up only where the value now is not the
///   run's result, on the user's last audit row of the run (`is_last`), newest first
///   through the `(account_id, user_id, changed_at)` index: it explains the value now.
struct RevertQuery {
    static let cursorName = "run_revert"

    let settings: [String]
    let declareCursor: String

    struct Record {
        var account: UUID
        var slug: String
        var user: (user: UUID, current: RevertDecision.Current)
        var audit: RevertDecision.AuditRow
        var later: [SkippedSetting.LaterChange?]
    }

    init(settings: [String]) throws {
        for name in settings where !TenantStatements.isPlainIdentifier(name) {
            throw EngineError.unsupportedSetting(name)
        }
        self.settings = settings
        var columns: [String] = [], userColumns: [String] = []
        for (index, name) in settings.enumerated() {
            let key = "($2::text[])[\(index + 1)]"
            userColumns.append("u.\"\(name)\" AS n\(index)")
            columns.append("""
                (a.before ->> \(key))::boolean AS b\(index), (a.after ->> \(key))::boolean AS a\(index), a.n\(index),
                       CASE WHEN a.is_last AND a.present AND NOT a.deleted
                                 AND a.n\(index) IS DISTINCT FROM (a.after ->> \(key))::boolean
                            THEN (SELECT l.id::text || ' ' || l.run_id::text || ' ' || \(ISOTimestampSQL.render("l.changed_at"))
                                  FROM mfa_audit l
                                  WHERE l.account_id = t.account_id AND l.user_id = a.user_id
                                    AND l.changed_at > a.changed_at AND l.run_id <> $1
                                    AND l.before -> \(key) IS DISTINCT FROM l.after -> \(key)
                                  ORDER BY l.changed_at DESC LIMIT 1) END AS l\(index)
                """)
        }
        declareCursor = """
            DECLARE \(Self.cursorName) NO SCROLL CURSOR FOR
            SELECT t.account_id, t.slug, a.user_id, a.manifest_row, a.present, a.deleted,
                   \(columns.joined(separator: ",\n       "))
            FROM (SELECT o.account_id, (SELECT c.slug FROM accounts c WHERE c.id = o.account_id) AS slug
                  FROM (SELECT DISTINCT account_id FROM run_outcomes WHERE run_id = $1 AND account_id <> '00000000-0000-0000-0000-000000000000') o
                  ORDER BY o.account_id) t
            CROSS JOIN LATERAL (
                SELECT m.user_id, m.manifest_row, m.before, m.after, m.changed_at,
                       lead(m.manifest_row) OVER (PARTITION BY m.user_id ORDER BY m.manifest_row) IS NULL AS is_last,
                       u.id IS NOT NULL AS present, u.deleted_at IS NOT NULL AS deleted\(userColumns.map { ", " + $0 }.joined())
                FROM mfa_audit m LEFT JOIN users u ON u.account_id = t.account_id AND u.id = m.user_id
                WHERE m.account_id = t.account_id AND m.run_id = $1) a
            ORDER BY t.account_id, a.user_id, a.manifest_row
            """
    }

    /// The parameters of `declareCursor`.
    func parameters(runID: UUID) -> [(any PostgresParameter)?] {
        [runID, PostgresArray(settings)]
    }

    func decode(_ row: PostgresRow) throws -> Record {
        var before: [Bool?] = [], after: [Bool?] = [], now: [Bool?] = []
        var later: [SkippedSetting.LaterChange?] = []
        for index in settings.indices {
            before.append(try row.decodeIfPresent("b\(index)"))
            after.append(try row.decodeIfPresent("a\(index)"))
            now.append(try row.decodeIfPresent("n\(index)"))
            later.append(try Self.laterChange(row.decodeIfPresent("l\(index)")))
        }
        let current: RevertDecision.Current
        if !(try row.decode("present", as: Bool.self)) {
            current = .gone
        } else if try row.decode("deleted", as: Bool.self) {
            current = .deleted(now)
        } else {
            current = .present(now)
        }
        return Record(
            account: try row.decode("account_id"), slug: try row.decode("slug"),
            user: (try row.decode("user_id"), current),
            audit: RevertDecision.AuditRow(manifestRow: try row.decode("manifest_row"), before: before, after: after),
            later: later)
    }

    /// `<audit id> <run id> <changed_at>` → its parts.
    private static func laterChange(_ text: String?) throws -> SkippedSetting.LaterChange? {
        guard let text else { return nil }
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw PostgresError(kind: .decoding, message: "mfa_audit: unexpected later-change text")
        }
        return SkippedSetting.LaterChange(auditID: String(parts[0]), runID: String(parts[1]), changedAt: String(parts[2]))
    }
}
