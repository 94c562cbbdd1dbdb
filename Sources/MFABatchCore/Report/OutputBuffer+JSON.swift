import Foundation

/// JSON encoding by hand: `JSONEncoder` cannot keep our key order or stream rows.
extension OutputBuffer {
    /// A JSON string literal. Escapes `"`, `\` and every control character below
    /// U+0020 (the short forms `\b \f \n \r \t`, otherwise `\u00xx`); everything else,
    /// non-ASCII included, is copied as UTF-8 (a Swift `String` is always valid UTF-8).
    mutating func appendJSONString(_ string: String) {
        append(byte: UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index { append(bytes: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
                appendJSONEscape(byte)
                runStart = index + 1
            }
            if runStart < utf8.count { append(bytes: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        }
        append(byte: UInt8(ascii: "\""))
    }

    private mutating func appendJSONEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): append("\\\"")
        case UInt8(ascii: "\\"): append("\\\\")
        case 0x08: append("\\b")
        case 0x0C: append("\\f")
        case 0x0A: append("\\n")
        case 0x0D: append("\\r")
        case 0x09: append("\\t")
        default:
            let hex: StaticString = "0123456789abcdef"
            append("\\u00")
            hex.withUTF8Buffer { digits in
                append(byte: digits[Int(byte >> 4)])
                append(byte: digits[Int(byte & 0x0F)])
            }
        }
    }

    /// A string or `null`.
    mutating func appendJSONString(_ string: String?) {
        if let string { appendJSONString(string) } else { append("null") }
    }

    /// An integer or `null`.
    mutating func appendJSONInt(_ value: Int?) {
        if let value { append(value) } else { append("null") }
    }

    mutating func appendJSONBool(_ value: Bool) {
        append(value ? "true" : "false")
    }

    /// A UUID in the lower-case form the rest of the tool prints, or `null`.
    mutating func appendJSONUUID(_ id: UUID?) {
        if let id { appendJSONString(id.uuidString.lowercased()) } else { append("null") }
    }

    /// A timestamp as a JSON string (`"2026-11-29T15:12:46.123Z"`), or `null`.
    mutating func appendJSONTimestamp(_ date: Date?) {
        guard let date else { append("null"); return }
        append(byte: UInt8(ascii: "\""))
        appendISO8601(date)
        append(byte: UInt8(ascii: "\""))
    }

    /// A manifest value with its original JSON type. A number is copied as written
    /// when it is a valid JSON number (else quoted, so the output stays valid JSON);
    /// an array or object, of which the reader kept only the kind, becomes `[]` / `{}`
    /// so the re-run still reports the same type error rather than silently a null.
    mutating func appendJSONValue(_ value: RawValue) {
        switch value {
        case .string(let text): appendJSONString(text)
        case .bool(let flag): appendJSONBool(flag)
        case .number(let text):
            if JSONNumberSyntax.isValid(text) { append(text: text) } else { appendJSONString(text) }
        case .null: append("null")
        case .array: append("[]")
        case .object: append("{}")
        }
    }
}
