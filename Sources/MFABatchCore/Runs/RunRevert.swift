import Foundation
import Postgres

/// `mfa-batch runs revert RUN_ID`: the manifest that puts back what an applied run
/// changed, built from its `mfa_audit` rows and the users' settings now. A revert is
/// a manifest like any other, previewed (`apply --dry-run`, `plan`) and applied
/// (`apply`) as usual; its own audit rows then point at the new run, so a revert can
/// itself be reverted (giving back the original run's after-state).
///
/// One pass, streaming: the run's audit rows, joined with the users they name, come
/// sorted by (account, user, manifest row) through a server-side cursor a page at a
/// time, and each user is decided (`RevertDecision`) and written as soon as their
/// last audit row is read. Memory holds one page and one user, whatever the size of
/// the run. The cursor runs in one REPEATABLE READ transaction, so the audit rows and
/// the users' values come from the same snapshot.
public enum RunRevert {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unknownRun(UUID)
        /// A dry run or a plan: nothing was changed, so there is nothing to revert.
        case notApplied(UUID, mode: String)
        /// Tenants may still commit after the manifest is written.
        case stillRunning(UUID)

        public var description: String {
            switch self {
            case .unknownRun(let id):
                return "no run \(id.uuidString.lowercased())"
            case .notApplied(let id, let mode):
                return "run \(id.uuidString.lowercased()) was a \(mode == "plan" ? "plan" : "dry run") (mode \(mode)): nothing was changed, so there is nothing to revert"
            case .stillRunning(let id):
                return "run \(id.uuidString.lowercased()) is still running; revert it once it has finished (see `mfa-batch runs`)"
            }
        }
    }

    public struct Summary: Sendable, Equatable {
        /// Settings written into the manifest (restored when it is applied).
        public var settings = 0
        /// Users in the manifest (= its rows).
        public var users = 0
        /// Settings left out: changed since, or their user deleted.
        public var skipped = 0
        /// Of `skipped`, those of deleted (or gone) users.
        public var skippedDeleted = 0
        /// Settings the run changed (restored + skipped).
        public var changedByRun: Int { settings + skipped }
    }

    /// The comment of a revert row: `revert of run <id> row 12` / `… rows 3, 12`.
    public static func comment(runID: UUID, rows: [Int]) -> String {
        "revert of run \(runID.uuidString.lowercased()) \(rows.count == 1 ? "row" : "rows") "
            + rows.map(String.init).joined(separator: ", ")
    }

    /// Checks that `runID` is an applied run that has finished; throws `Failure`.
    public static func checkRevertible(_ connection: Connection, runID: UUID) throws {
        guard let entry = try RunHistory.find(connection, id: runID) else { throw Failure.unknownRun(runID) }
        guard entry.mode == RunMode.apply.rawValue else { throw Failure.notApplied(runID, mode: entry.mode) }
        guard entry.outcome != RunOutcome.running.rawValue else { throw Failure.stillRunning(runID) }
    }

    /// Writes the revert of `runID` to `manifest`, and each setting left out to
    /// `skipped` (when given) and to `onSkipped`. Does not finish the writers.
    public static func write(_ connection: Connection, runID: UUID, settings: [String], manifest: RevertManifestWriter,
                             skipped: SkippedSettingsWriter?, pageSize: Int = 10_000,
                             onSkipped: (SkippedSetting) -> Void = { _ in }) throws -> Summary {
        try checkRevertible(connection, runID: runID)
        let query = try RevertQuery(settings: settings)
        var summary = Summary()
        var user: UserAudit?

        func flush(_ done: UserAudit) throws {
            let decision = RevertDecision(settingCount: settings.count, audit: done.rows, current: done.current)
            if !decision.restore.isEmpty {
                try manifest.write(account: done.slug, user: done.user, values: decision.restore,
                                   comment: comment(runID: runID, rows: decision.rows))
                summary.settings += decision.restore.count
                summary.users += 1
            }
            for skip in decision.skipped {
                let entry = SkippedSetting(
                    account: done.slug, user: done.user, setting: settings[skip.setting], runAfter: skip.runAfter,
                    now: skip.now, reason: skip.reason,
                    later: skip.reason == .changedSince ? done.later[skip.setting] : nil)
                summary.skipped += 1
                if skip.reason != .changedSince { summary.skippedDeleted += 1 }
                try skipped?.write(entry)
                onSkipped(entry)
            }
        }

        try connection.transaction(isolation: .repeatableRead) { connection in
            try connection.query(query.declareCursor, query.parameters(runID: runID))
            while true {
                let page = try connection.query("FETCH \(pageSize) FROM \(RevertQuery.cursorName)")
                for row in page.decodedRows {
                    let record = try query.decode(row)
                    if let current = user, current.account == record.account, current.user == record.user.user {
                        user?.append(record)
                    } else {
                        if let done = user { try flush(done) }
                        user = UserAudit(record)
                    }
                }
                if page.rows.count < pageSize { break }
            }
            if let done = user { try flush(done) }
        }
        return summary
    }

    /// The audit rows of one user read so far, with what the users table says now.
    struct UserAudit {
        var account: UUID
        var slug: String
        var user: UUID
        var current: RevertDecision.Current
        var rows: [RevertDecision.AuditRow]
        /// Per setting, the newest later audit row that changed it (from the user's last row).
        var later: [SkippedSetting.LaterChange?]

        init(_ record: RevertQuery.Record) {
            account = record.account
            slug = record.slug
            user = record.user.user
            current = record.user.current
            rows = [record.audit]
            later = record.later
        }

        mutating func append(_ record: RevertQuery.Record) {
            rows.append(record.audit)
            later = record.later
        }
    }
}
