import Foundation

/// A value that can be read from a result column's text form.
public protocol PostgresDecodable {
    /// nil when `text` is not a value of this type.
    init?(postgresText text: String)
    /// The PostgreSQL type, for error messages.
    static var postgresTypeName: String { get }
}

extension String: PostgresDecodable {
    public init?(postgresText text: String) { self = text }
    public static var postgresTypeName: String { "text" }
}

extension Int: PostgresDecodable {
    public init?(postgresText text: String) { self.init(text) }
    public static var postgresTypeName: String { "integer" }
}

extension Int64: PostgresDecodable {
    public init?(postgresText text: String) { self.init(text) }
    public static var postgresTypeName: String { "bigint" }
}

extension Bool: PostgresDecodable {
    public init?(postgresText text: String) {
        switch text {
        case "t": self = true
        case "f": self = false
        default: return nil
        }
    }
    public static var postgresTypeName: String { "boolean" }
}

extension UUID: PostgresDecodable {
    public init?(postgresText text: String) { self.init(uuidString: text) }
    public static var postgresTypeName: String { "uuid" }
}

/// One row of a result, read by column name into Swift types. A decode throws a
/// `PostgresError` that names the column and the type, never turning bad data into
/// a silent default.
///
/// ```swift
/// for row in result.decodedRows {
///     let id: UUID = try row.decode("id")
///     let deletedAt: String? = try row.decodeIfPresent("deleted_at")
/// }
/// ```
public struct PostgresRow: Sendable {
    public let columns: [String]
    public let values: [String?]

    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let value = try decodeIfPresent(column, as: type) else {
            throw PostgresError(kind: .decoding, column: column, message: "column \"\(column)\" is NULL, expected \(T.postgresTypeName)")
        }
        return value
    }

    public func decodeIfPresent<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T? {
        guard let index = columns.firstIndex(of: column) else {
            throw PostgresError(kind: .decoding, column: column, message: "the result has no column \"\(column)\"")
        }
        guard let text = values[index] else { return nil }
        guard let value = T(postgresText: text) else {
            throw PostgresError(kind: .decoding, column: column,
                                message: "column \"\(column)\" is not a valid \(T.postgresTypeName)")
        }
        return value
    }
}

extension QueryResult {
    /// The rows, for decoding by column name.
    public var decodedRows: [PostgresRow] {
        rows.map { PostgresRow(columns: columns, values: $0) }
    }

    /// The one row of a result that must have exactly one.
    public func singleRow() throws -> PostgresRow {
        guard rows.count == 1 else {
            throw PostgresError(kind: .decoding, message: "expected one row, the statement returned \(rows.count)")
        }
        return PostgresRow(columns: columns, values: rows[0])
    }
}

extension PostgresError {
    init(kind: Kind, column: String, message: String) {
        self.init(kind: kind, message: message, column: column)
    }
}
