/// One manifest row as read, before any validation: field names and values in the
/// order they appeared. Readers produce these; the validator checks them.
public struct RawRow: Sendable, Equatable {
    /// Data rows counted from 1 (a CSV header is not counted).
    public var row: Int
    /// The 1-based physical line where the row starts (JSON: its opening brace).
    public var line: Int
    public var fields: [RawField]

    public init(row: Int, line: Int, fields: [RawField]) {
        self.row = row
        self.line = line
        self.fields = fields
    }

    /// The first value of a field named exactly `name`.
    public func value(_ name: String) -> RawValue? {
        fields.first { $0.name == name }?.value
    }
}

public struct RawField: Sendable, Equatable {
    public var name: String
    public var value: RawValue
    public init(name: String, value: RawValue) {
        self.name = name
        self.value = value
    }
}

/// A value as the manifest spelled it. CSV cells are always `.string`; JSON keeps
/// its types so that `"true"`, `1` and `null` can be told apart from `true`.
public enum RawValue: Sendable, Equatable {
    case string(String)
    case bool(Bool)
    /// A JSON number, as written.
    case number(String)
    case null
    /// A JSON array or object where a scalar was expected (kind only).
    case array
    case object
}
