import Foundation

/// Where to connect, exactly as libpq takes it: a `postgresql://` URL or a
/// `key=value` string. An empty string means libpq's own defaults (`PGHOST`,
/// `PGPORT`, `PGUSER`, `PGDATABASE`, `PGPASSWORD`, `.pgpass`, `sslmode`, …), which
/// libpq reads itself; we never re-implement them.
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
        if conninfo.hasPrefix("postgresql://") || conninfo.hasPrefix("postgres://") {
            return ConnectionSettings(conninfo: conninfo + (conninfo.contains("?") ? "&" : "?") + "dbname=" + (name.addingPercentEncodingForQuery()))
        }
        return ConnectionSettings(conninfo: conninfo + " dbname=" + quoted)
    }

    /// Removes any password that appears in `text`: the password of these settings
    /// wherever it occurs, `user:password@` in URLs and `password=…` pairs.
    /// Every message that may echo connection settings goes through this.
    public func redact(_ text: String) -> String {
        var result = text
        for secret in passwords() where !secret.isEmpty {
            result = result.replacingOccurrences(of: secret, with: "****")
        }
        result = result.replacing(#/(postgres(?:ql)?://[^:/@\s]*):[^@\s]*@/#) { "\($0.output.1):****@" }
        result = result.replacing(#/password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/#) { _ in "password=****" }
        return result
    }

    /// Passwords written into the conninfo, in raw and percent-decoded forms.
    private func passwords() -> [String] {
        var found: [String] = []
        if let match = conninfo.firstMatch(of: #/^postgres(?:ql)?://[^:/@]*:([^@]*)@/#) {
            let raw = String(match.output.1)
            found.append(raw)
            if let decoded = raw.removingPercentEncoding { found.append(decoded) }
        }
        for match in conninfo.matches(of: #/password\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&]+)/#) {
            var value = String(match.output.1)
            if value.hasPrefix("'"), value.hasSuffix("'"), value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            found.append(value)
            if let decoded = value.removingPercentEncoding { found.append(decoded) }
        }
        return found.sorted { $0.count > $1.count }
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
