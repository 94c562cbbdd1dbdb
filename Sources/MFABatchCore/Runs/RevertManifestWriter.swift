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
    public let format: ManifestFormat
    public private(set) var rowCount = 0

    private let settings: [String]
    private let sink: OutputSink
    private var buffer = OutputBuffer()
    private var isFinished = false

    public init(output: ReportOutput, format: ManifestFormat, settings: [String]) throws {
        self.format = format
        self.settings = settings
        sink = try OutputSink(output)
        switch format {
        case .csv:
            for (index, column) in (["account", "user"] + settings + ["comment"]).enumerated() {
                if index > 0 { buffer.append(byte: UInt8(ascii: ",")) }
                buffer.appendCSVField(column)
            }
            buffer.append(byte: UInt8(ascii: "\n"))
        case .json:
            buffer.append(byte: UInt8(ascii: "["))
        case .jsonl:
            break
        }
    }

    /// One row: `values` are (setting index, value) in setting order.
    public func write(account: String, user: UUID, values: [RevertDecision.Restore], comment: String) throws {
        guard !isFinished else { throw ReportError.misuse("revert row after finish") }
        switch format {
        case .csv:
            buffer.appendCSVField(account)
            buffer.append(byte: UInt8(ascii: ","))
            buffer.append(text: user.uuidString.lowercased())
            var next = values.makeIterator(), pending = next.next()
            for index in settings.indices {
                buffer.append(byte: UInt8(ascii: ","))
                if let value = pending, value.setting == index {
                    buffer.append(value.value ? "true" : "false")
                    pending = next.next()
                }
            }
            buffer.append(byte: UInt8(ascii: ","))
            buffer.appendCSVField(comment)
            buffer.append(byte: UInt8(ascii: "\n"))
        case .json:
            buffer.append(rowCount == 0 ? "\n  " : ",\n  ")
            appendJSONObject(account: account, user: user, values: values, comment: comment)
        case .jsonl:
            appendJSONObject(account: account, user: user, values: values, comment: comment)
            buffer.append(byte: UInt8(ascii: "\n"))
        }
        rowCount += 1
        if buffer.isFull { try sink.write(&buffer) }
    }

    /// Completes the file and moves it into place.
    public func finish() throws {
        guard !isFinished else { throw ReportError.misuse("revert manifest finished twice") }
        isFinished = true
        if format == .json { buffer.append(rowCount == 0 ? "]\n" : "\n]\n") }
        try sink.write(&buffer)
        try sink.commit()
    }

    /// Abandons the file; an existing file at the destination is left as it was.
    public func discard() {
        isFinished = true
        sink.discard()
    }

    private func appendJSONObject(account: String, user: UUID, values: [RevertDecision.Restore], comment: String) {
        buffer.append("{\"account\": ")
        buffer.appendJSONString(account)
        buffer.append(", \"user\": ")
        buffer.appendJSONUUID(user)
        for value in values {
            buffer.append(", ")
            buffer.appendJSONString(settings[value.setting])
            buffer.append(": ")
            buffer.appendJSONBool(value.value)
        }
        buffer.append(", \"comment\": ")
        buffer.appendJSONString(comment)
        buffer.append(byte: UInt8(ascii: "}"))
    }
}
