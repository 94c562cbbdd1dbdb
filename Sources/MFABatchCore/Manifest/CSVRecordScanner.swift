/// Finds the cells of one RFC 4180 record in a byte window, without copying.
///
/// This is the hot loop of `validate` (target: a million rows a second), so it works
/// on raw bytes, allocates nothing (cell boundaries go into reusable arrays) and
/// handles the common byte with a single comparison. It scans one complete record
/// or reports that the window ended first, in which case the reader refills and
/// scans the same record again.
struct CSVRecordScanner {
    struct Cell {
        /// Content range in the window (without the surrounding quotes).
        var start: Int
        var end: Int
        /// Quoted with `""` inside: must be unescaped.
        var hasEscapedQuotes: Bool
        /// Has a byte >= 0x80: must be UTF-8-validated.
        var nonASCII: Bool
    }

    enum Outcome {
        /// A record; `next` is the offset after its line break, `lineBreaks` how many
        /// LF were consumed (embedded ones plus the terminator).
        case record(next: Int, lineBreaks: Int)
        /// A completely empty line (skipped by the reader, still counted as a line).
        case emptyLine(next: Int)
        /// The window ended inside the record and more input may follow.
        case incomplete
        /// Nothing left at all.
        case endOfInput
        /// `lineBreaks` before the problem, relative to the record's first line.
        case malformed(lineBreaks: Int, message: String)
    }

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf: UInt8 = 0x0A, cr: UInt8 = 0x0D

    /// Scans from `start` to `end`; `atEOF` says whether `end` is the end of input.
    static func scan(_ base: UnsafePointer<UInt8>, start: Int, end: Int, atEOF: Bool,
                     cells: inout [Cell]) -> Outcome {
        cells.removeAll(keepingCapacity: true)
        var i = start
        if i == end { return atEOF ? .endOfInput : .incomplete }
        if base[i] == lf { return .emptyLine(next: i + 1) }
        if base[i] == cr {
            if i + 1 == end { return atEOF ? .emptyLine(next: i + 1) : .incomplete }
            if base[i + 1] == lf { return .emptyLine(next: i + 2) }
        }
        var lineBreaks = 0
        while true {
            // One cell starting at i.
            if i < end && base[i] == quote {
                i += 1
                let contentStart = i
                var escaped = false, high: UInt8 = 0
                while true {
                    if i == end {
                        return atEOF ? .malformed(lineBreaks: 0, message: "unterminated quoted field") : .incomplete
                    }
                    let b = base[i]
                    if b == quote {
                        if i + 1 == end && !atEOF { return .incomplete }
                        if i + 1 < end && base[i + 1] == quote { escaped = true; i += 2; continue }
                        break
                    }
                    if b == lf { lineBreaks += 1 } else if b == 0 { return nulByte(lineBreaks) }
                    high |= b
                    i += 1
                }
                cells.append(Cell(start: contentStart, end: i, hasEscapedQuotes: escaped, nonASCII: high >= 0x80))
                i += 1 // closing quote
                if i < end {
                    let b = base[i]
                    if b != comma && b != lf && b != cr {
                        return .malformed(lineBreaks: lineBreaks,
                                          message: "unexpected \(JSONByteScanner.describe(b)) after a closing quote "
                                            + "(a quote inside a quoted field must be doubled)")
                    }
                }
            } else {
                let contentStart = i
                var high: UInt8 = 0
                while i < end {
                    let b = base[i]
                    if b > quote && b != comma { high |= b; i += 1; continue }
                    if b == comma || b == lf { break }
                    if b == cr {
                        if i + 1 == end && !atEOF { return .incomplete }
                        if i + 1 == end || base[i + 1] == lf { break }
                        return .malformed(lineBreaks: lineBreaks, message: bareCR)
                    } else if b == quote {
                        return .malformed(lineBreaks: lineBreaks,
                                          message: "quote inside an unquoted field (quote the whole field and double the quote)")
                    } else if b == 0 {
                        return nulByte(lineBreaks)
                    }
                    i += 1
                }
                if i == end && !atEOF { return .incomplete }
                cells.append(Cell(start: contentStart, end: i, hasEscapedQuotes: false, nonASCII: high >= 0x80))
            }
            // The delimiter after the cell.
            if i == end { return .record(next: i, lineBreaks: lineBreaks) }
            switch base[i] {
            case comma:
                i += 1
            case lf:
                return .record(next: i + 1, lineBreaks: lineBreaks + 1)
            default: // CR: a line break only as CRLF, or as the very last byte
                if i + 1 < end && base[i + 1] == lf { return .record(next: i + 2, lineBreaks: lineBreaks + 1) }
                if i + 1 == end { return atEOF ? .record(next: i + 1, lineBreaks: lineBreaks) : .incomplete }
                return .malformed(lineBreaks: lineBreaks, message: bareCR)
            }
        }
    }

    /// A CR alone outside quotes: most likely a file with classic Mac line endings,
    /// which would otherwise read as one long line ("unknown column commentacme").
    static let bareCR = "carriage return (CR) without a line feed outside quotes: lines must end in LF or CRLF "
        + "(this file seems to use bare CR line endings; convert it, e.g. tr '\\r' '\\n')"

    private static func nulByte(_ lineBreaks: Int) -> Outcome {
        .malformed(lineBreaks: lineBreaks, message: "NUL byte (is this a binary or UTF-16 file?)")
    }
}
