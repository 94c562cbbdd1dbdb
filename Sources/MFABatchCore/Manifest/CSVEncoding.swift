/// Writes CSV the way `CSVReader` reads it (RFC 4180), for the rejects writer and
/// for tests: a cell is quoted when it holds a comma, quote, CR or LF, or starts or
/// ends with a blank (so no reader trims it), with quotes doubled.
///
/// ```swift
/// CSVEncoding.record(["acme", "say \"hi\", bye"]) // acme,"say ""hi"", bye"\r\n
/// ```
public enum CSVEncoding {
    public static func field(_ text: String) -> String {
        var needsQuotes = false
        for byte in text.utf8 where byte == 0x2C || byte == 0x22 || byte == 0x0D || byte == 0x0A {
            needsQuotes = true
            break
        }
        if let first = text.utf8.first, first == 0x20 || first == 0x09 { needsQuotes = true }
        if let last = text.utf8.last, last == 0x20 || last == 0x09 { needsQuotes = true }
        guard needsQuotes else { return text }
        var quoted = "\""
        for character in text.unicodeScalars {
            if character == "\"" { quoted += "\"\"" } else { quoted.unicodeScalars.append(character) }
        }
        return quoted + "\""
    }

    /// One record, terminated by `lineEnding` (RFC 4180 says CRLF).
    public static func record(_ fields: [String], lineEnding: String = "\r\n") -> String {
        fields.map(field).joined(separator: ",") + lineEnding
    }
}
