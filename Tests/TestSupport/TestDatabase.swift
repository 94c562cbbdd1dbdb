import Foundation
import Postgres

/// A fresh, empty database on the test server for one test, dropped afterwards.
/// The server is the one `scripts/with-postgres` started (`DATABASE_URL`); with no
/// `DATABASE_URL` the test fails loudly instead of skipping, so a missing server
/// can never look like a pass.
public enum TestDatabase {
    public struct MissingServer: Error, CustomStringConvertible {
        public var description: String {
            "DATABASE_URL is not set: run the suite with scripts/test (it starts PostgreSQL)"
        }
    }

    /// Settings of the server's maintenance database, from `DATABASE_URL`.
    public static func serverSettings() throws -> ConnectionSettings {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw MissingServer()
        }
        return ConnectionSettings(conninfo: url)
    }

    /// Creates a database with a unique name, runs `body` with its settings, drops it.
    public static func with<T>(_ body: (ConnectionSettings) throws -> T) throws -> T {
        let server = try serverSettings()
        let name = "mfa_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try Connection(settings: server)
        defer { admin.close() }
        try admin.query("CREATE DATABASE " + admin.escapeIdentifier(name))
        defer {
            _ = try? admin.query("DROP DATABASE IF EXISTS " + admin.escapeIdentifier(name) + " WITH (FORCE)")
        }
        return try body(server.replacingDatabase(with: name))
    }
}
