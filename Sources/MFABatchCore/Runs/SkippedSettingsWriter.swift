import Foundation

/// A setting `runs revert` leaves alone: the user was deleted, or someone changed
/// the setting since the run (then `later` is the newest audit row that changed it,
/// if the change went through the tool; a direct write to `users` leaves none).
public struct SkippedSetting: Sendable, Equatable {
    /// The audit row of a later change.
    public struct LaterChange: Sendable, Equatable {
        public var auditID: String
        public var runID: String
        /// ISO 8601 UTC with milliseconds.
        public var changedAt: String
    }

    public var account: String
    public var user: UUID
    public var setting: String
    public var runAfter: Bool
    /// nil when the user no longer exists.
    public var now: Bool?
    public var reason: RevertDecision.SkipReason
    public var later: LaterChange?

    /// One line for stderr: `acme user 6f1c…: totp_enabled is false, the run left true (changed since by run 81d2… at …)`.
    public var description: String {
        var text = "\(account) user \(user.uuidString.lowercased()): \(setting) "
        switch reason {
        case .changedSince:
            text += "is \(now.map(String.init) ?? "unset"), the run left \(runAfter): changed since"
            if let later { text += " by run \(later.runID) at \(later.changedAt) (audit row \(later.auditID))" }
        case .userDeleted, .userGone:
            text += "left \(runAfter) by the run: \(reason.rawValue)"
        }
        return text
    }
}

/// `runs revert --skipped PATH`: the settings left out of the revert, one line each:
/// CSV (header `account,user,setting,run_after,now,reason,later_audit_id,
/// later_changed_at,later_run_id`; empty cells for nulls) or JSON Lines with the same
/// keys (`now` and the `later_*` keys null when there is none). Created mode 0600
/// under a temporary name and renamed into place by `finish()`, like every output.
public final class SkippedSettingsWriter {
    public static let columns = ["account", "user", "setting", "run_after", "now", "reason", "later_audit_id",
                                 "later_changed_at", "later_run_id"]

    public let isCSV: Bool
    private let sink: OutputSink
    private var buffer = OutputBuffer()
    private var isFinished = false

    public init(output: ReportOutput, csv: Bool) throws {
        isCSV = csv
        sink = try OutputSink(output)
        if csv {
            buffer.append(text: Self.columns.joined(separator: ","))
            buffer.append(byte: UInt8(ascii: "\n"))
        }
    }

    public func write(_ skipped: SkippedSetting) throws {
        guard !isFinished else { throw ReportError.misuse("skipped row after finish") }
        if isCSV {
            let cells: [String?] = [
                skipped.account, skipped.user.uuidString.lowercased(), skipped.setting, String(skipped.runAfter),
                skipped.now.map(String.init), skipped.reason.rawValue, skipped.later?.auditID, skipped.later?.changedAt,
                skipped.later?.runID,
            ]
            for (index, cell) in cells.enumerated() {
                if index > 0 { buffer.append(byte: UInt8(ascii: ",")) }
                buffer.appendCSVField(cell)
            }
        } else {
            buffer.append("{\"account\": ")
            buffer.appendJSONString(skipped.account)
            buffer.append(", \"user\": ")
            buffer.appendJSONUUID(skipped.user)
            buffer.append(", \"setting\": ")
            buffer.appendJSONString(skipped.setting)
            buffer.append(", \"run_after\": ")
            buffer.appendJSONBool(skipped.runAfter)
            buffer.append(", \"now\": ")
            if let now = skipped.now { buffer.appendJSONBool(now) } else { buffer.append("null") }
            buffer.append(", \"reason\": ")
            buffer.appendJSONString(skipped.reason.rawValue)
            buffer.append(", \"later_audit_id\": ")
            buffer.appendJSONString(skipped.later?.auditID)
            buffer.append(", \"later_changed_at\": ")
            buffer.appendJSONString(skipped.later?.changedAt)
            buffer.append(", \"later_run_id\": ")
            buffer.appendJSONString(skipped.later?.runID)
            buffer.append(byte: UInt8(ascii: "}"))
        }
        buffer.append(byte: UInt8(ascii: "\n"))
        if buffer.isFull { try sink.write(&buffer) }
    }

    public func finish() throws {
        guard !isFinished else { throw ReportError.misuse("skipped file finished twice") }
        isFinished = true
        try sink.write(&buffer)
        try sink.commit()
    }

    public func discard() {
        isFinished = true
        sink.discard()
    }
}
