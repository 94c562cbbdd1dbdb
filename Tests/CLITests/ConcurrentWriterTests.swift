import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 10, item 6: the `mfa_required` policy cannot be bypassed by a concurrent
/// writer. The tool decides from the users it read, and writes a user only if its
/// settings are still those; a write committed in between makes it decide again.
@Suite struct ConcurrentWriterTests {
    @Test func aConcurrentWriteCannotLeaveAUserWithoutAFactorInAnMFARequiredAccount() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let tenant = try UnattendedFixture.seed(connection, slug: "strict", users: 1)
            let frank = tenant.users[0].id
            try connection.query("UPDATE accounts SET mfa_required = true WHERE id = $1", [tenant.id])
            try connection.query("UPDATE users SET totp_enabled = true, passkey_enabled = true WHERE id = $1", [frank])
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let credentials = try UnattendedFixture.credentials(harness, [tenant], in: directory)
            let manifest = directory.appendingPathComponent("m.csv")
            try Data("account,user,passkey_enabled\nstrict,\(tenant.users[0].email),false\n".utf8).write(to: manifest)
            let report = directory.appendingPathComponent("r.json")

            // Another session turns frank's TOTP off and keeps its transaction open.
            let writer = try Connection(settings: harness.settings)
            defer { writer.close() }
            try writer.query("BEGIN")
            try writer.query("UPDATE users SET totp_enabled = false WHERE id = $1", [frank])

            let tool = try ToolProcess(["apply", manifest.path, "--credentials", credentials.path, "--report", report.path,
                                        "--quiet"], settings: harness.toolSettings)
            // The tool read frank as he was (both factors) and now waits on his row.
            try waitUntil("the tool waits for frank's row lock") {
                try lockWaiters(connection, appNames: [tool.appName]) == 1
            }
            try writer.query("COMMIT")
            let exit = try tool.wait()

            #expect(exit.status == 1, "\(exit.stderr)")
            let rows = UnattendedFixture.rows(try UnattendedFixture.report(report))
            #expect(rows.first?["status"] as? String == "invalid")
            #expect((rows.first?["error"] as? String)?.contains("with no MFA factor") == true)
            let state = try UnattendedFixture.settings(connection, tenant.id)[frank]
            #expect(state?.totp == "f" && state?.passkey == "t")
            #expect(try connection.query("SELECT count(*) FROM mfa_audit").scalar == "0")
        }
    }
}
