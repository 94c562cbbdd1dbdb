/// Reads a JSON Lines manifest (`.jsonl`, `.ndjson`): one row object a line.
///
/// - Blank lines (only spaces, tabs, CR) are skipped: editors and `cat` leave them,
///   and they carry no row. They count for `line`, not for `row`.
/// - A row must be complete on its line; a line that is not an object, or has
///   anything after its object, is a `ManifestError` naming the line.
/// - A file with no row and nothing but blanks is a `ManifestError` ("empty file"),
///   like an empty CSV or JSON file.
public final class JSONLinesReader: ManifestReader {
    public var format: ManifestFormat { .jsonl }
    public var fileName: String { stepper.fileName }
    public var columns: [String]? { nil }

    private var rowNumber = 0
    private var started = false
    private let stepper: JSONStepper

    init(source: ByteSource, fileName: String) {
        stepper = JSONStepper(source: source, fileName: fileName)
    }

    /// Reads bytes in memory, `chunkSize` bytes at a time.
    public convenience init(bytes: [UInt8], fileName: String = "manifest.jsonl",
                            chunkSize: Int = ManifestLimits.chunkBytes) {
        self.init(source: ByteSource(bytes: bytes, maxChunk: chunkSize), fileName: fileName)
    }

    public func next() throws(ManifestError) -> RawRow? {
        if !started {
            started = true
            try stepper.skipByteOrderMark()
        }
        while true {
            guard let b = try stepper.skipWhitespace(lineBreaks: false) else {
                if rowNumber == 0 && !stepper.sawContent {
                    throw ManifestError(file: stepper.fileName, line: nil, message: "empty file: expected one row object a line")
                }
                return nil
            }
            if b == 0x0A {
                stepper.consume(b)
                continue
            }
            guard b == UInt8(ascii: "{") else {
                throw stepper.error("expected a row object, got \(JSONByteScanner.kind(of: b))")
            }
            let line = stepper.line
            let fields = try stepper.step(singleLine: true) { (scanner) throws(JSONByteScanner.Failure) in
                let fields = try scanner.scanRowFields()
                try scanner.skipBlanksOnLine()
                if let after = try scanner.peek(), after != 0x0A {
                    throw .syntax(line: scanner.line, message: "unexpected \(JSONByteScanner.describe(after)) after "
                        + "the row object (JSON Lines: one object a line)")
                }
                return fields
            }
            rowNumber += 1
            return RawRow(row: rowNumber, line: line, fields: fields)
        }
    }
}

@available(*, unavailable)
extension JSONLinesReader: Sendable {}
