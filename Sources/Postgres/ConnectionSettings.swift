internal import CLibPQ
import Foundation

/// Where to connect, exactly as libpq takes it: a `postgresql://` URL or a
/// `key=value` string. An empty string means libpq's own defaults (`PGHOST`,
/// `PGPORT`, `PGUSER`, `PGDATABASE`, `PGPASSWORD`, `.pgpass`, `sslmode`, …), which
/// libpq reads itself; we never re-implement them.
///
/// Passwords are kept out of messages *by field*, never by searching a message for
/// the password (which reveals a short one: `f****iled`, and misses a fragment):
/// the string is parsed with libpq's own parser (`PQconninfoParse`) before any
/// connection attempt, so each value is known by the field it lands in; a parse
/// error shows none of the string; a URL whose user info holds an unescaped `@` or
/// `/` (which sends pieces of the password into the host, port or database name)
/// is refused naming the field, not its value. libpq's own connection messages
/// name the host, port and user, never the password field.
public struct ConnectionSettings: Sendable {
    public var conninfo: String

    public init(conninfo: String) { self.conninfo = conninfo }

    /// `--database-url`, else `DATABASE_URL`, else libpq's defaults.
    public static func resolve(databaseURL: String?, environment: [String: String]) -> ConnectionSettings {
        if let databaseURL, !databaseURL.isEmpty { return ConnectionSettings(conninfo: databaseURL) }
        if let url = environment["DATABASE_URL"], !url.isEmpty { return ConnectionSettings(conninfo: url) }
        return ConnectionSettings(conninfo: "")
    }

    /// The same settings with `dbname` replaced, for tools that create databases.
    public func replacingDatabase(with name: String) -> ConnectionSettings {
        // libpq: later keywords override earlier ones, and a URL may be followed by
        // nothing, so use the expanded form through `dbname=` with the original as base.
        let quoted = "'" + name.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "'", with: "\\'") + "'"
        if isURL {
            return ConnectionSettings(conninfo: conninfo + (conninfo.contains("?") ? "&" : "?") + "dbname=" + (name.addingPercentEncodingForQuery()))
        }
        return ConnectionSettings(conninfo: conninfo + " dbname=" + quoted)
    }

    /// One option of the connection string, as libpq parsed it.
    public struct Option: Sendable, Equatable {
        public var keyword: String
        public var value: String

        public init(keyword: String, value: String) {
            self.keyword = keyword
            self.value = value
        }

        /// Options whose value is never shown (`password`; `sslpassword` unlocks a key).
        public var isSecret: Bool { keyword == "password" || keyword == "sslpassword" }
    }

    /// A connection string libpq cannot use; the message shows none of its text.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The options the string sets, in libpq's keyword order (`PQconninfoParse`).
    /// A parse error is thrown with every quoted part of libpq's message left out:
    /// libpq quotes the offending piece of the string, which may be the password.
    public func options() throws(Invalid) -> [Option] {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let parsed = PQconninfoParse(conninfo, &errorMessage) else {
            let raw = errorMessage.map { String(cString: $0) } ?? "out of memory"
            if let errorMessage { PQfreemem(errorMessage) }
            throw Invalid(message: "invalid connection string: " + Self.withoutQuotedParts(raw)
                + " (the string itself is not shown)")
        }
        defer { PQconninfoFree(parsed) }
        var options: [Option] = []
        var index = 0
        while let keyword = parsed[index].keyword {
            if let value = parsed[index].val { options.append(Option(keyword: String(cString: keyword), value: String(cString: value))) }
            index += 1
        }
        return options
    }

    /// The string checked before connecting: parsed by libpq, and for a URL, no
    /// piece of the user info in another field. A password with an unescaped `/` or
    /// `@` (`postgresql://alice:Zq9/x@db/app`) is read by libpq as host `alice` and
    /// port `Zq9`, and its connection error would quote them; refused here instead.
    public func check() throws(Invalid) {
        let options = try options()
        for option in options where option.keyword == "port" {
            let digits = option.value.split(separator: ",", omittingEmptySubsequences: false)
            if !digits.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) {
                throw Invalid(message: "invalid connection string: the port is not a number (value not shown)"
                    + (isURL ? Self.percentEncodeHint : ""))
            }
        }
        guard isURL else { return }
        for option in options where ["host", "hostaddr", "port", "dbname"].contains(option.keyword) {
            if option.value.contains("@") {
                throw Invalid(message: "invalid connection string: an '@' in the \(option.keyword == "dbname" ? "database name" : option.keyword) (value not shown)"
                    + Self.percentEncodeHint)
            }
        }
    }

    /// This settings' string with every secret option (the password) shown as
    /// `****`, as `key=value` pairs; for messages that must say where they connect.
    public func redactedDescription() -> String {
        guard let options = try? options() else { return "(invalid connection string, not shown)" }
        return options.map { "\($0.keyword)=\($0.isSecret ? "****" : $0.value)" }.joined(separator: " ")
    }

    private static let percentEncodeHint =
        "; in a URL, an '@' or '/' in the user name or password must be percent-encoded (%40, %2F)"
        + " — or leave the password out of the URL and use PGPASSWORD or a PGPASSFILE"

    private var isURL: Bool { conninfo.hasPrefix("postgresql://") || conninfo.hasPrefix("postgres://") }

    /// libpq's message with each `"…"` part replaced by `"…"` (its quotes hold
    /// pieces of the string: `missing "=" after "two"`).
    static func withoutQuotedParts(_ message: String) -> String {
        var out = ""
        var inQuote = false
        for character in message.trimmingCharacters(in: .whitespacesAndNewlines) {
            if character == "\"" {
                if inQuote { out += "\"…\"" }
                inQuote.toggle()
            } else if !inQuote {
                out.append(character)
            }
        }
        return out
    }
}

extension String {
    fileprivate func addingPercentEncodingForQuery() -> String {
        var out = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
