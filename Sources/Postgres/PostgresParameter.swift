import Foundation

/// A value sent as a statement parameter in PostgreSQL's text format.
/// Values only ever travel as parameters, never interpolated into SQL.
public protocol PostgresParameter: Sendable {
    var postgresText: String { get }
}

extension String: PostgresParameter { public var postgresText: String { self } }
extension Substring: PostgresParameter { public var postgresText: String { String(self) } }
extension Int: PostgresParameter { public var postgresText: String { String(self) } }
extension Int64: PostgresParameter { public var postgresText: String { String(self) } }
extension Int32: PostgresParameter { public var postgresText: String { String(self) } }
extension Bool: PostgresParameter { public var postgresText: String { self ? "t" : "f" } }
extension UUID: PostgresParameter { public var postgresText: String { uuidString.lowercased() } }
extension Double: PostgresParameter { public var postgresText: String { String(self) } }

/// `bytea` in hex form (`\x0a1b…`).
extension Data: PostgresParameter {
    public var postgresText: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        bytes.reserveCapacity(2 + count * 2)
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Date: PostgresParameter {
    /// ISO 8601 with fractional seconds, UTC: accepted by `timestamptz` input.
    public var postgresText: String {
        var style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        style.timeZone = TimeZone(identifier: "UTC")!
        return formatted(style)
    }
}

/// Decoding of text-format result values.
public enum PostgresText {
    public static func bool(_ text: String?) -> Bool? {
        switch text { case "t": return true; case "f": return false; default: return nil }
    }

    /// Decodes `bytea` hex output (`\x…`).
    public static func bytea(_ text: String?) -> Data? {
        guard let text, text.hasPrefix("\\x") else { return nil }
        var data = Data(capacity: (text.utf8.count - 2) / 2)
        var high: UInt8?
        for byte in text.utf8.dropFirst(2) {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let h = high { data.append(h << 4 | value); high = nil } else { high = value }
        }
        return high == nil ? data : nil
    }

    /// A `text[]` sent back as `array_to_json(…)::text` (`["a","b"]`), which spares
    /// parsing PostgreSQL's own array syntax.
    public static func stringArray(_ text: String?) -> [String]? {
        guard let text else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String]
    }
}
