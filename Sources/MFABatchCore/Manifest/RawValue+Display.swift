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
            let scalars = text.unicodeScalars
            let shown = scalars.dropFirst(100).isEmpty ? text : String(String.UnicodeScalarView(scalars.prefix(100))) + "…"
            return JSONText.string(shown)
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
