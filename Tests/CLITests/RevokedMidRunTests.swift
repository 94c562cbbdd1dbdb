import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 11, item 5: a key revoked mid-run stops working at the next tenant. Each
/// tenant's transaction checks that the keys its rows were verified with are not
/// revoked since; no audit row is written after `revoked_at`.
@Suite struct RevokedMidRunTests {
    @Test func aKeyRevokedWhileAnotherTenantIsAppliedIsRefusedForTheNextTenant() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let alpha = try UnattendedFixture.seed(connection, slug: "alpha", users: 2)
            let bravo = try UnattendedFixture.seed(connection, slug: "bravo", users: 2)
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let credentials = try UnattendedFixture.credentials(harness, [alpha, bravo], in: directory)
            let manifest = directory.appendingPathComponent("m.csv")
            try Data("account,user,totp_enabled\nalpha,*,true\nbravo,*,true\n".utf8).write(to: manifest)
            let report = directory.appendingPathComponent("r.json")

            // Paused inside alpha's UPDATE, after bravo's key was verified while staging.
            let pause = try TenantPause(settings: harness.settings, installOn: connection, account: alpha.id)
            let tool = try ToolProcess(["apply", manifest.path, "--credentials", credentials.path, "--report", report.path,
                                        "--quiet", "--parallel", "1"], settings: harness.toolSettings)
            try pause.waitUntilPaused(tool, observer: connection)
            try connection.query("UPDATE api_keys SET revoked_at = now() WHERE account_id = $1", [bravo.id])
            pause.release()
            let exit = try tool.wait()

            #expect(exit.status == 1, "\(exit.stderr)")
            let rows = UnattendedFixture.rows(try UnattendedFixture.report(report))
            #expect(rows.map { $0["status"] as? String } == ["changed", "unauthorized"])
            #expect(rows.last?["error"] as? String == "api key revoked during the run")
            #expect(try UnattendedFixture.settings(connection, bravo.id).values.allSatisfy { $0.totp == "f" })
            #expect(try connection.query("""
                SELECT count(*) FROM mfa_audit a JOIN api_keys k ON k.account_id = a.account_id
                WHERE a.changed_at > k.revoked_at
                """).scalar == "0")
        }
    }
}
