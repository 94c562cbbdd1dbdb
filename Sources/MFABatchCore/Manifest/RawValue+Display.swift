extension RawValue {
    /// How a value appears in a row diagnostic's message: strings quoted (JSON
    /// style, controls escaped, cut at 100 characters so a huge cell cannot bloat the
    /// report), other values as JSON writes them, containers by kind.
    var displayed: String {
        switch self {
        case .string(let text) where CredentialFields.looksLikeCredential(text):
            // A key or token pasted into the wrong field is still never echoed.
            return "a value that looks like a credential (not shown)"
        case .string(let text):
            var out = "\""
            var count = 0
            for scalar in text.unicodeScalars {
                if count == 100 { out += "…"; break }
                count += 1
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20:
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16)
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        case .bool(let value): return value ? "true" : "false"
        case .number(let text): return text
        case .null: return "null"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// `RowDiagnostic.value`: the value as text (strings unquoted, cut at 200
    /// characters); nil for containers.
    var diagnosticValue: String? {
        switch self {
        case .string(let text) where CredentialFields.looksLikeCredential(text): return nil
        case .string(let text): return text.unicodeScalars.count > 200 ? String(text.prefix(200)) : text
        case .bool(let value): return value ? "true" : "false"
        case .number(let text): return text
        case .null: return "null"
        case .array, .object: return nil
        }
    }
}
