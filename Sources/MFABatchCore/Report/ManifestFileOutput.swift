import Foundation

/// A manifest written as a file — the rejects of a run, the manifest of a revert:
/// the framing of the three formats (a CSV header, a JSON array, JSON Lines) around
/// the rows its owner appends, written through `OutputSink` (a file is created mode
/// 0600 under a temporary name and renamed into place by `finish()`; `-` and devices
/// are written in place). Streaming: a buffer's worth in memory at a time.
final class ManifestFileOutput {
    let format: ManifestFormat
    private(set) var rowCount = 0
    /// Where the owner appends a row's content, between `beginRow` and `endRow`.
    var buffer = OutputBuffer()
    private let sink: OutputSink
    private let label: String
    private var isFinished = false

    /// - Parameters:
    ///   - csvHeader: the columns of a CSV file (ignored for JSON formats).
    ///   - label: what the file is, for misuse errors ("rejects").
    init(output: ReportOutput, format: ManifestFormat, csvHeader: [String], label: String) throws {
        self.format = format
        self.label = label
        sink = try OutputSink(output)
        switch format {
        case .csv:
            for (index, column) in csvHeader.enumerated() {
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

    /// Before a row's content: the separator of a JSON array.
    func beginRow() throws {
        guard !isFinished else { throw ReportError.misuse("\(label) row after finish") }
        if format == .json { buffer.append(rowCount == 0 ? "\n  " : ",\n  ") }
    }

    /// After a row's content (a CSV row ends its own line): the line end of JSON Lines.
    func endRow() throws {
        if format == .jsonl { buffer.append(byte: UInt8(ascii: "\n")) }
        rowCount += 1
        if buffer.isFull { try sink.write(&buffer) }
    }

    /// Completes the file and moves it into place.
    func finish() throws {
        guard !isFinished else { throw ReportError.misuse("\(label) finished twice") }
        isFinished = true
        if format == .json { buffer.append(rowCount == 0 ? "]\n" : "\n]\n") }
        try sink.write(&buffer)
        try sink.commit()
    }

    /// Abandons the file; an existing file at the destination is left as it was.
    func discard() {
        isFinished = true
        sink.discard()
    }
}
