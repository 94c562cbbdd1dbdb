extension CSVReader {
    /// Scans one complete record from `window.start`, refilling the window as needed
    /// and enforcing the row size cap. Never returns `.incomplete` or `.malformed`.
    static func scanRecord(_ window: InputWindow, fileName: String, line: Int,
                           cells: inout [CSVRecordScanner.Cell]) throws(ManifestError) -> CSVRecordScanner.Outcome {
        while true {
            let outcome = CSVRecordScanner.scan(window.base, start: window.start, end: window.end,
                                                atEOF: window.atEOF, cells: &cells)
            switch outcome {
            case .incomplete:
                if window.available > ManifestLimits.maxRowBytes { throw tooLong(fileName, line) }
                _ = try window.fill(fileName: fileName, line: line)
            case .malformed(let lineBreaks, let message):
                throw ManifestError(file: fileName, line: line + lineBreaks, message: message)
            case .record(let next, _) where next - window.start > ManifestLimits.maxRowBytes + 2:
                // Complete, but only because the window had grown past the cap (+2: CRLF).
                throw tooLong(fileName, line)
            default:
                return outcome
            }
        }
    }

    private static func tooLong(_ fileName: String, _ line: Int) -> ManifestError {
        ManifestError(file: fileName, line: line,
                      message: ManifestLimits.rowTooLong + "; is a quote left open?")
    }

    /// A cell's text: unescaped, UTF-8-validated, refusing a byte order mark. Errors
    /// name the physical line of the bad byte, even inside a multi-line cell.
    static func string(_ cell: CSVRecordScanner.Cell, window: InputWindow, recordLine: Int,
                       unescaped: inout [UInt8], fileName: String) throws(ManifestError) -> String {
        let base = window.base
        let outcome: ByteText.Outcome
        if cell.hasEscapedQuotes {
            unescaped.removeAll(keepingCapacity: true)
            var i = cell.start
            while i < cell.end {
                unescaped.append(base[i])
                i += base[i] == UInt8(ascii: "\"") ? 2 : 1
            }
            outcome = unescaped.withUnsafeBufferPointer {
                ByteText.decode($0.baseAddress!, count: $0.count, nonASCII: cell.nonASCII)
            }
        } else {
            outcome = ByteText.decode(base + cell.start, count: cell.end - cell.start, nonASCII: cell.nonASCII)
        }
        switch outcome {
        case .text(let text):
            return text
        case .invalidUTF8(let offset):
            throw ManifestError(file: fileName, line: lineOf(sourceOffset(offset, cell, base), window: window, recordLine: recordLine),
                                message: "invalid UTF-8 (the manifest must be UTF-8 encoded)")
        case .byteOrderMark(let offset):
            throw ManifestError(file: fileName, line: lineOf(sourceOffset(offset, cell, base), window: window, recordLine: recordLine),
                                message: "byte order mark (U+FEFF) in the middle of the file (files joined with cat?)")
        }
    }

    /// The window offset of output byte `offset` of a cell (undoing `""` → `"`).
    private static func sourceOffset(_ offset: Int, _ cell: CSVRecordScanner.Cell,
                                     _ base: UnsafeMutablePointer<UInt8>) -> Int {
        guard cell.hasEscapedQuotes else { return cell.start + offset }
        var i = cell.start, produced = 0
        while i < cell.end && produced < offset {
            i += base[i] == UInt8(ascii: "\"") ? 2 : 1
            produced += 1
        }
        return i
    }

    /// The physical line of window offset `offset`, counting LFs from the record start.
    private static func lineOf(_ offset: Int, window: InputWindow, recordLine: Int) -> Int {
        var line = recordLine
        var i = window.start
        while i < offset && i < window.end {
            if window.base[i] == 0x0A { line += 1 }
            i += 1
        }
        return line
    }
}
