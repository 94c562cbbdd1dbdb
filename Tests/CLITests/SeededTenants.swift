import Foundation
import Postgres
import Testing
import TestSupport

/// Tenants a, b, c (more with `count`) with two users each (`u1@a.test`, …), all
/// factors off, and one API key per tenant in a credentials file.
enum SeededTenants {
    static let defaultSlugs = ["a", "b", "c"]

    static func seed(_ harness: CLIHarness, _ connection: Connection, in directory: URL,
                     slugs: [String] = defaultSlugs) throws -> URL {
        var entries: [String] = []
        for slug in slugs {
            let account = UUID()
            try connection.query("INSERT INTO accounts (id, slug, name) VALUES ($1, $2, $2)", [account, slug])
            for user in ["u1", "u2"] {
                try connection.query("INSERT INTO users (account_id, id, email) VALUES ($1, $2, $3)",
                                     [account, UUID(), "\(user)@\(slug).test"])
            }
            let created = try harness.run(["keys", "create", "--account", slug])
            let key = try #require(created.stdout.split(separator: "\n").first)
            entries.append("\"\(slug)\": {\"api_key\": \"\(key)\"}")
        }
        let credentials = directory.appendingPathComponent("credentials.json")
        try Data(("{" + entries.joined(separator: ", ") + "}").utf8).write(to: credentials)
        // Private, as an operator keeps it (a readable one draws a warning on stderr).
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: credentials.path)
        return credentials
    }

    /// A migrated database with the tenants seeded, a scratch directory, and the
    /// credentials file; the directory is removed afterwards.
    static func with(slugs: [String] = defaultSlugs, _ body: (CLIHarness, Connection, URL, URL) throws -> Void) throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try body(harness, connection, directory, try seed(harness, connection, in: directory, slugs: slugs))
        }
    }
}
