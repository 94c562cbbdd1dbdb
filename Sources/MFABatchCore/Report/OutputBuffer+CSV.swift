/// CSV encoding (RFC 4180): a field is quoted only when it has to be.
extension OutputBuffer {
    /// One field. Quoted, with `"` doubled, when it holds a comma, a quote, CR or LF,
    /// or starts or ends with a blank (a reader that trims unquoted cells would lose
    /// it). An empty string and a null are both an empty cell.
    mutating func appendCSVField(_ field: String?) {
        guard var field, !field.isEmpty else { return }
        field.withUTF8 { utf8 in
            var needsQuotes = utf8[0] == UInt8(ascii: " ") || utf8[0] == UInt8(ascii: "\t")
                || utf8[utf8.count - 1] == UInt8(ascii: " ") || utf8[utf8.count - 1] == UInt8(ascii: "\t")
            if !needsQuotes {
                for byte in utf8 where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"")
                    || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                    needsQuotes = true
                    break
                }
            }
            guard needsQuotes else { append(bytes: utf8); return }
            append(byte: UInt8(ascii: "\""))
            var runStart = 0
            for index in 0..<utf8.count where utf8[index] == UInt8(ascii: "\"") {
                append(bytes: UnsafeBufferPointer(rebasing: utf8[runStart...index]))
                append(byte: UInt8(ascii: "\""))
                runStart = index + 1
            }
            if runStart < utf8.count { append(bytes: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
            append(byte: UInt8(ascii: "\""))
        }
    }

    /// A text cell a spreadsheet may open: `appendCSVField`, with a single quote put
    /// before a value that starts with `=`, `+`, `-`, `@`, a tab or a CR, which
    /// Excel, LibreOffice and Google Sheets would otherwise run as a formula
    /// (`=HYPERLINK(…)`, `@SUM(…)`, `-2+3+cmd|…`). OWASP's "CSV injection" advice.
    mutating func appendCSVTextCell(_ field: String?) {
        guard let field, let first = field.utf8.first, Self.startsFormula(first) else {
            appendCSVField(field)
            return
        }
        appendCSVField("'" + field)
    }

    /// Whether a cell starting with `byte` would be read as a formula.
    static func startsFormula(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "=") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "@")
            || byte == 0x09 || byte == 0x0D
    }

    /// An integer cell, empty for null.
    mutating func appendCSVInt(_ value: Int?) {
        if let value { append(value) }
    }
}
