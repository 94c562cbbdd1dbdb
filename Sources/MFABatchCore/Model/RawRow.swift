/// One manifest row as read, before any validation: field names and values in the
/// order they appeared. Readers produce these; the validator checks them.
///
/// A CSV row keeps its cells as bytes (`CSVCells`: one buffer for the whole
/// row) and makes `String`s only when asked: `validate` checks a million rows a
/// second on the bytes, and most cells are never needed as text. JSON rows keep
/// typed `RawField`s. Both read the same through `fields`, `value(_:)` and the
/// validator's byte access (`forEachField`).
public struct RawRow: Sendable, Equatable {
    /// Data rows counted from 1 (a CSV header is not counted).
    public var row: Int
    /// The 1-based physical line where the row starts (JSON: its opening brace).
    public var line: Int
    private let storage: Storage

    private enum Storage: Sendable {
        case fields([RawField])
        case cells(CSVCells)
    }

    public init(row: Int, line: Int, fields: [RawField]) {
        self.row = row
        self.line = line
        storage = .fields(fields)
    }

    init(row: Int, line: Int, cells: CSVCells) {
        self.row = row
        self.line = line
        storage = .cells(cells)
    }

    /// The fields in order (a CSV row: every column, as `.string`).
    public var fields: [RawField] {
        switch storage {
        case .fields(let fields): return fields
        case .cells(let cells):
            return (0..<cells.count).map { RawField(name: cells.names[$0], value: .string(cells.text(at: $0))) }
        }
    }

    /// The first value of a field named exactly `name`.
    public func value(_ name: String) -> RawValue? {
        switch storage {
        case .fields(let fields): return fields.first { $0.name == name }?.value
        case .cells(let cells): return cells.names.firstIndex(of: name).map { .string(cells.text(at: $0)) }
        }
    }

    public static func == (lhs: RawRow, rhs: RawRow) -> Bool {
        lhs.row == rhs.row && lhs.line == rhs.line && lhs.fields == rhs.fields
    }

    /// Calls `body` with each field's index, name and value as the validator reads
    /// it (text as UTF-8 bytes, valid only inside `body`), in order, until it
    /// returns false. One pass, no copies.
    @inline(__always)
    func forEachField(_ body: (Int, String, FieldBytes) -> Bool) {
        switch storage {
        case .cells(let cells):
            cells.forEach { index, name, bytes in body(index, name, .text(bytes)) }
        case .fields(let fields):
            for (index, field) in fields.enumerated() {
                let goOn: Bool
                if case .string(var text) = field.value {
                    goOn = text.withUTF8 { body(index, field.name, .text($0)) }
                } else {
                    goOn = body(index, field.name, .other(field.value))
                }
                if !goOn { return }
            }
        }
    }

    /// The text of field `index` from byte `offset`, `count` bytes long (a value the
    /// validator accepted, possibly trimmed). A JSON string is returned as it is when
    /// the range covers it whole, without a copy.
    func text(at index: Int, offset: Int, count: Int) -> String {
        switch storage {
        case .cells(let cells):
            return cells.withBytes(at: index) { String(decoding: UnsafeBufferPointer(rebasing: $0[offset..<offset + count]), as: UTF8.self) }
        case .fields(let fields):
            guard case .string(let text) = fields[index].value else { return "" }
            if offset == 0 && count == text.utf8.count { return text }
            let utf8 = text.utf8
            let start = utf8.index(utf8.startIndex, offsetBy: offset)
            return String(decoding: utf8[start..<utf8.index(start, offsetBy: count)], as: UTF8.self)
        }
    }
}

/// A field's value as the validator sees it.
enum FieldBytes {
    /// A CSV cell or JSON string, as UTF-8.
    case text(UnsafeBufferPointer<UInt8>)
    /// Any other JSON value.
    case other(RawValue)
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
