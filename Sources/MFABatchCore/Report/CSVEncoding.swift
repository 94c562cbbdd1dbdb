/// CSV text the way the report and rejects writers write it (RFC 4180): a cell is
/// quoted when it holds a comma, quote, CR or LF, or starts or ends with a blank (so
/// no reader trims it), with quotes doubled. The same encoder as the writers'
/// (`OutputBuffer.appendCSVField`), as a `String`: the round-trip tests read it back.
///
/// ```swift
/// CSVEncoding.record(["acme", "say \"hi\", bye"]) // acme,"say ""hi"", bye"\r\n
/// ```
public enum CSVEncoding {
    public static func field(_ text: String) -> String {
        var buffer = OutputBuffer(reserving: text.utf8.count + 2)
        buffer.appendCSVField(text)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    /// One record, terminated by `lineEnding` (RFC 4180 says CRLF).
    public static func record(_ fields: [String], lineEnding: String = "\r\n") -> String {
        var buffer = OutputBuffer(reserving: 64)
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.append(byte: UInt8(ascii: ",")) }
            buffer.appendCSVField(field)
        }
        buffer.append(text: lineEnding)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }
}
