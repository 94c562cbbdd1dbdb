import Foundation
import Postgres
import Testing
import TestSupport

/// The tool run by an ordinary role that owns its database (with CREATEROLE, which
/// `migrate` needs to create the tenant role), as in production, rather than the
/// test server's superuser: migrate, keys, apply and runs must all work, and
/// row-level security must still confine tenant transactions.
@Suite struct NonSuperuserCLITests {
    @Test func anOwningRoleWithoutSuperuserRunsEverything() throws {
        let server = try TestDatabase.serverSettings()
        let admin = try Connection(settings: server)
        defer { admin.close() }
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let role = "mfa_ops_\(suffix)", database = "mfa_ops_db_\(suffix)"
        try admin.query("CREATE ROLE \(try admin.escapeIdentifier(role)) LOGIN CREATEROLE")
        try admin.query("CREATE DATABASE \(try admin.escapeIdentifier(database)) OWNER \(try admin.escapeIdentifier(role))")
        defer {
            _ = try? admin.query("DROP DATABASE IF EXISTS \(try admin.escapeIdentifier(database)) WITH (FORCE)")
            _ = try? admin.query("DROP ROLE IF EXISTS \(try admin.escapeIdentifier(role))")
        }
        let settings = ConnectionSettings(conninfo: server.replacingDatabase(with: database).conninfo + "&user=\(role)")
        let harness = CLIHarness(settings: settings)
        let migrate = try harness.run(["migrate"])
        #expect(migrate.status == 0, "\(migrate.stderr)")

        let connection = try Connection(settings: settings)
        defer { connection.close() }
        #expect(try connection.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").scalar == "f")
        let acme = UUID(), globex = UUID(), alice = UUID(), dana = UUID()
        try connection.query("INSERT INTO accounts (id, slug, name) VALUES ($1, 'acme', 'Acme'), ($2, 'globex', 'Globex')",
                             [acme, globex])
        try connection.query("INSERT INTO users (account_id, id, email) VALUES ($1, $2, 'alice@acme.test'), ($3, $4, 'dana@globex.test')",
                             [acme, alice, globex, dana])
        let key = try #require(try harness.run(["keys", "create", "--account", "acme"]).stdout.split(separator: "\n").first)

        let directory = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = directory.appendingPathComponent("m.csv")
        // Row 2 names globex's user under acme: it must not reach her.
        try Data("account,user,totp_enabled\nacme,alice@acme.test,true\nacme,\(dana.uuidString),true\n".utf8).write(to: manifest)
        let report = directory.appendingPathComponent("r.csv")
        let applied = try harness.run(["apply", manifest.path, "--partial", "--report", report.path, "--quiet"],
                                      environment: ["MFA_BATCH_API_KEY": String(key)])
        #expect(applied.status == 1, "\(applied.stderr)")
        let lines = try String(contentsOf: report, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[1].contains(",changed,200,"))
        #expect(lines[2].contains(",invalid,400,") && lines[2].contains("not found"))
        #expect(try connection.query("SELECT id FROM users WHERE totp_enabled").rows.map { $0[0] } == [alice.uuidString.lowercased()])
        #expect(try connection.query("SELECT count(*) FROM mfa_audit").scalar == "1")
        let runs = try harness.run(["runs", "--json"])
        #expect(runs.status == 0 && runs.stdout.contains("\"outcome\":\"rows_failed\""))
    }
}
