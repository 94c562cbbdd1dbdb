import Foundation

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

    /// Checks a non-ASCII cell: valid UTF-8 and no byte order mark. Its bytes are
    /// checked as they stand in the window: undoing a doubled quote (ASCII) cannot
    /// make or break a multi-byte sequence, and the offset of a problem is then a
    /// window offset, so the error names the physical line of the bad byte, even
    /// inside a multi-line cell.
    static func checkText(_ cell: CSVRecordScanner.Cell, window: InputWindow, recordLine: Int,
                          fileName: String) throws(ManifestError) {
        let bytes = UnsafeBufferPointer(start: window.base + cell.start, count: cell.end - cell.start)
        switch ByteText.problem(in: bytes) {
        case .invalidUTF8(let offset)?:
            throw ManifestError(file: fileName, line: lineOf(cell.start + offset, window: window, recordLine: recordLine),
                                message: "invalid UTF-8 (the manifest must be UTF-8 encoded)")
        case .byteOrderMark(let offset)?:
            throw ManifestError(file: fileName, line: lineOf(cell.start + offset, window: window, recordLine: recordLine),
                                message: "byte order mark (U+FEFF) in the middle of the file (files joined with cat?)")
        case .text?, nil:
            return
        }
    }

    /// A checked cell's text, doubled quotes undone (the header's names; rows keep
    /// their cells as bytes, see `CSVCells`).
    static func text(_ cell: CSVRecordScanner.Cell, window: InputWindow) -> String {
        let text = String(decoding: UnsafeBufferPointer(start: window.base + cell.start, count: cell.end - cell.start),
                          as: UTF8.self)
        return cell.hasEscapedQuotes ? text.replacingOccurrences(of: "\"\"", with: "\"") : text
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
