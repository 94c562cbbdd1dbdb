extension RawValue {
    /// How a value appears in a row diagnostic's message: strings quoted (JSON
    /// style, controls and invisible characters escaped, cut at 100 characters so a
    /// huge cell cannot bloat the report), numbers as written (cut the same way),
    /// other values as JSON writes them, containers by kind. A value that looks like
    /// a credential is never shown (see `EchoedText`).
    var displayed: String {
        switch self {
        case .string(let text) where CredentialFields.containsCredential(text):
            // A key or token pasted into the wrong field is still never echoed.
            return "a value that looks like a credential (not shown)"
        case .string(let text):
            return EchoedText.escapingInvisibles(JSONText.string(EchoedText.bounded(text, to: 100)))
        case .bool(let value): return value ? "true" : "false"
        case .number(let text): return EchoedText.bounded(text, to: 100)
        case .null: return "null"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// `RowDiagnostic.value`: the value as text (strings unquoted, cut at 200
    /// characters); nil for containers and for what looks like a credential.
    var diagnosticValue: String? {
        switch self {
        case .string(let text) where CredentialFields.containsCredential(text): return nil
        case .string(let text): return text.unicodeScalars.count > 200 ? String(text.prefix(200)) : text
        case .number(let text): return EchoedText.bounded(text)
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        case .array, .object: return nil
        }
    }
}
