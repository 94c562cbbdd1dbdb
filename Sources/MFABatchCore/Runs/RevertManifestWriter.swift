import Foundation

/// The manifest `runs revert` writes: one row per user, named by id, with the
/// account's slug, the settings to restore and a `comment` naming the run and the
/// manifest rows that made the change. Never a credential: the operator supplies
/// those when applying it, as for any manifest.
///
/// - CSV: header `account,user,<every setting of the spec>,comment`; a setting that
///   is not restored is an empty cell ("not set").
/// - JSON: an array, one row object a line (`[]` when empty); JSON Lines: one object
///   a line (an empty file when empty).
///
/// Written through `OutputSink` like reports and rejects: a file is created mode 0600
/// under a temporary name beside PATH and renamed into place by `finish()`; `-` is
/// standard output. Streaming: memory does not grow with the number of rows.
public final class RevertManifestWriter {
    public var format: ManifestFormat { file.format }
    public var rowCount: Int { file.rowCount }

    private let settings: [String]
    private let file: ManifestFileOutput

    public init(output: ReportOutput, format: ManifestFormat, settings: [String]) throws {
        self.settings = settings
        file = try ManifestFileOutput(output: output, format: format, csvHeader: ["account", "user"] + settings + ["comment"],
                                      label: "revert manifest")
    }

    /// One row: `values` are (setting index, value) in setting order.
    public func write(account: String, user: UUID, values: [RevertDecision.Restore], comment: String) throws {
        try file.beginRow()
        switch format {
        case .csv:
            file.buffer.appendCSVField(account)
            file.buffer.append(byte: UInt8(ascii: ","))
            file.buffer.append(text: user.uuidString.lowercased())
            var next = values.makeIterator(), pending = next.next()
            for index in settings.indices {
                file.buffer.append(byte: UInt8(ascii: ","))
                if let value = pending, value.setting == index {
                    file.buffer.append(value.value ? "true" : "false")
                    pending = next.next()
                }
            }
            file.buffer.append(byte: UInt8(ascii: ","))
            file.buffer.appendCSVField(comment)
            file.buffer.append(byte: UInt8(ascii: "\n"))
        case .json, .jsonl:
            appendJSONObject(account: account, user: user, values: values, comment: comment)
        }
        try file.endRow()
    }

    /// Completes the file and moves it into place.
    public func finish() throws { try file.finish() }

    /// Abandons the file; an existing file at the destination is left as it was.
    public func discard() { file.discard() }

    private func appendJSONObject(account: String, user: UUID, values: [RevertDecision.Restore], comment: String) {
        file.buffer.append("{\"account\": ")
        file.buffer.appendJSONString(account)
        file.buffer.append(", \"user\": ")
        file.buffer.appendJSONUUID(user)
        for value in values {
            file.buffer.append(", ")
            file.buffer.appendJSONString(settings[value.setting])
            file.buffer.append(": ")
            file.buffer.appendJSONBool(value.value)
        }
        file.buffer.append(", \"comment\": ")
        file.buffer.appendJSONString(comment)
        file.buffer.append(byte: UInt8(ascii: "}"))
    }
}
