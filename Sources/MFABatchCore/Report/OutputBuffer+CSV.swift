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

    /// An integer cell, empty for null.
    mutating func appendCSVInt(_ value: Int?) {
        if let value { append(value) }
    }
}
