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
    // The reader's state is touched only by its one consumer, one call at a time
    // (the class is not Sendable and never calls out while it mutates), so Swift's
    // dynamic exclusivity checks, a dozen per row here, guard nothing: off.
    /// Line of `window.start`.
    @exclusivity(unchecked) private var line = 1
    @exclusivity(unchecked) private var rowNumber = 0
    @exclusivity(unchecked) private var cells: [CSVRecordScanner.Cell] = []
    /// The previous row's cells, reused for the next row when nobody kept it.
    @exclusivity(unchecked) private var previousCells: CSVCells?

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
        try window.skipByteOrderMark(fileName: fileName)
        var cells: [CSVRecordScanner.Cell] = []
        var names: [String] = []
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
                    if cell.nonASCII { try checkText(cell, window: window, recordLine: line, fileName: fileName) }
                    names.append(text(cell, window: window))
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
                // Non-ASCII cells (rare) are checked now: invalid UTF-8 or a stray byte
                // order mark is a manifest error, named by line.
                for cell in cells where cell.nonASCII {
                    try Self.checkText(cell, window: window, recordLine: line, fileName: fileName)
                }
                let raw = RawRow(row: rowNumber, line: line,
                                 cells: CSVCells.build(reusing: &previousCells, names: header, base: window.base, cells: cells))
                window.start = next
                line += lineBreaks
                return raw
            default:
                preconditionFailure("scanRecord returns only complete outcomes")
            }
        }
    }
}

@available(*, unavailable)
extension CSVReader: Sendable {}
