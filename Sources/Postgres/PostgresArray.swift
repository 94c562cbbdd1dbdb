import Foundation

/// A one-dimensional array parameter in PostgreSQL's text form (`{a,"b c",NULL}`),
/// so that a whole tenant's values travel in one parameter and a statement can read
/// them with `unnest($1::uuid[], $2::bool[], …)`: one statement for a set, never one
/// per row.
///
/// ```swift
/// try connection.query("UPDATE users u SET totp_enabled = c.on FROM unnest($1::uuid[], $2::bool[]) AS c(id, on) …",
///                      [PostgresArray(ids), PostgresArray(values)])
/// ```
public struct PostgresArray: PostgresParameter {
    public let postgresText: String

    /// Text elements, each quoted (backslash and double quote escaped); nil is NULL.
    public init(_ values: some Sequence<String?>) {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        for value in values {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            guard var value else {
                bytes.append(contentsOf: "NULL".utf8)
                continue
            }
            bytes.append(UInt8(ascii: "\""))
            value.withUTF8 { utf8 in
                for byte in utf8 {
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                    bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        postgresText = String(decoding: bytes, as: UTF8.self)
    }

    public init(_ values: some Sequence<String>) {
        self.init(values.lazy.map { Optional($0) })
    }

    /// Elements whose text form needs no quoting (numbers, booleans, UUIDs).
    private init(unquoted values: some Sequence<String?>) {
        var text = "{"
        var first = true
        for value in values {
            if !first { text += "," }
            first = false
            text += value ?? "NULL"
        }
        postgresText = text + "}"
    }

    public init(_ values: some Sequence<UUID>) {
        self.init(unquoted: values.lazy.map { Optional($0.postgresText) })
    }

    public init(_ values: some Sequence<Bool>) {
        self.init(unquoted: values.lazy.map { Optional($0 ? "t" : "f") })
    }

    public init(_ values: some Sequence<Int>) {
        self.init(unquoted: values.lazy.map { Optional(String($0)) })
    }

    public init(_ values: some Sequence<Int?>) {
        self.init(unquoted: values.lazy.map { $0.map { String($0) } })
    }
}
