/// Reads an RFC 4180 CSV manifest row by row.
///
/// - The header is read and checked when the reader is created (`CSVHeader`); a
///   UTF-8 byte order mark before it is skipped.
/// - Cells are `RawValue.string`, exactly as written (quotes removed, `""` → `"`,
///   embedded line breaks kept); rows carry every column, empty cells included, under
///   the canonical column names.
/// - Completely empty lines are skipped (a trailing blank line is common and
///   harmless); they still count for `line`, not for `row`.
/// - A header with no data rows is a valid, empty manifest; a file with no header
///   at all is a `ManifestError` (more likely a truncated export than an intent).
/// - A row with more or fewer cells than the header is a `ManifestError`: the usual
///   cause is an unquoted comma, after which no cell can be trusted to be in its
///   column, and such a row could not be written back to a rejects file.
public final class CSVReader: ManifestReader {
    public var format: ManifestFormat { .csv }
    public let fileName: String
    public var columns: [String]? { header }
    /// The canonical header.
    public let header: [String]

    private let window: InputWindow
    /// Line of `window.start`.
    private var line = 1
    private var rowNumber = 0
    private var cells: [CSVRecordScanner.Cell] = []
    private var unescaped: [UInt8] = []
    private var rawNames: [String] = []

    /// Reads from a file descriptor (see `ManifestSource.open`).
    init(source: ByteSource, fileName: String, schema: SettingsSchema) throws(ManifestError) {
        self.fileName = fileName
        window = InputWindow(source: source)
        header = try Self.readHeader(window: window, fileName: fileName, schema: schema, line: &line)
    }

    /// Reads bytes in memory, `chunkSize` bytes at a time (tests use tiny chunks to
    /// put rows across chunk boundaries).
    public convenience init(bytes: [UInt8], fileName: String = "manifest.csv", schema: SettingsSchema = .bundled,
                            chunkSize: Int = ManifestLimits.chunkBytes) throws(ManifestError) {
        try self.init(source: ByteSource(bytes: bytes, maxChunk: chunkSize), fileName: fileName, schema: schema)
    }

    private static func readHeader(window: InputWindow, fileName: String, schema: SettingsSchema,
                                   line: inout Int) throws(ManifestError) -> [String] {
        // Skip a byte order mark at the very start.
        while window.available < 3, try fill(window, fileName, line) {}
        if window.available >= 3 && window.base[0] == 0xEF && window.base[1] == 0xBB && window.base[2] == 0xBF {
            window.start = 3
        }
        var cells: [CSVRecordScanner.Cell] = []
        var names: [String] = []
        var unescaped: [UInt8] = []
        let headerLine: Int
        scanning: while true {
            switch try scanRecord(window, fileName: fileName, line: line, cells: &cells) {
            case .emptyLine(let next):
                window.start = next
                line += 1
            case .endOfInput:
                throw ManifestError(file: fileName, line: nil, message: "empty file: expected a header line")
            case .record(let next, let lineBreaks):
                for cell in cells {
                    names.append(try string(cell, window: window, recordLine: line, unescaped: &unescaped,
                                        fileName: fileName))
                }
                headerLine = line
                window.start = next
                line += lineBreaks
                break scanning
            default:
                preconditionFailure("scanRecord returns only complete outcomes")
            }
        }
        return try CSVHeader.canonicalColumns(names, schema: schema, file: fileName, line: headerLine)
    }

    public func next() throws(ManifestError) -> RawRow? {
        while true {
            switch try Self.scanRecord(window, fileName: fileName, line: line, cells: &cells) {
            case .emptyLine(let next):
                window.start = next
                line += 1
            case .endOfInput:
                return nil
            case .record(let next, let lineBreaks):
                rowNumber += 1
                guard cells.count == header.count else {
                    throw ManifestError(file: fileName, line: line,
                                        message: "row \(rowNumber) has \(cells.count) cells, the header has \(header.count)"
                                            + (cells.count > header.count ? " (an unquoted comma?)" : ""))
                }
                // Locals: class properties in a loop cost a dynamic exclusivity check each.
                let header = self.header, cells = self.cells, base = window.base
                var fields: [RawField] = []
                fields.reserveCapacity(header.count)
                for index in 0..<cells.count {
                    let cell = cells[index]
                    let text: String
                    if !cell.nonASCII {
                        // ASCII (nearly every cell): cannot fail.
                        text = Self.asciiString(base, cell)
                    } else {
                        text = try Self.string(cell, window: window, recordLine: line, unescaped: &unescaped,
                                               fileName: fileName)
                    }
                    fields.append(RawField(name: header[index], value: .string(text)))
                }
                let raw = RawRow(row: rowNumber, line: line, fields: fields)
                window.start = next
                line += lineBreaks
                return raw
            default:
                preconditionFailure("scanRecord returns only complete outcomes")
            }
        }
    }
}

extension CSVReader {
    /// An ASCII cell's text, `""` unescaped while copying (no intermediate buffer).
    @inline(__always)
    static func asciiString(_ base: UnsafeMutablePointer<UInt8>, _ cell: CSVRecordScanner.Cell) -> String {
        let count = cell.end - cell.start
        guard cell.hasEscapedQuotes else {
            return String(decoding: UnsafeBufferPointer(start: base + cell.start, count: count), as: UTF8.self)
        }
        return String(unsafeUninitializedCapacity: count) { out in
            var i = cell.start, o = 0
            while i < cell.end {
                let b = base[i]
                out[o] = b
                o += 1
                i += b == UInt8(ascii: "\"") ? 2 : 1
            }
            return o
        }
    }
}

@available(*, unavailable)
extension CSVReader: Sendable {}
