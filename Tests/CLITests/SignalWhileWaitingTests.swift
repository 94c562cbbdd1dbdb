import Foundation
import Postgres
import Testing
import TestSupport

/// A run queued behind another run's tenant lock (runs on one tenant serialize and
/// wait as long as it takes) must still stop at once on SIGTERM: the wait is
/// cancelled on the server, the tenant rolls back, the report is written.
@Suite struct SignalWhileWaitingTests {
    @Test func sigtermCancelsAWaitForATenantLock() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let acme = try UnattendedFixture.seed(connection, slug: "acme", users: 2)
            let credentials = try UnattendedFixture.credentials(harness, [acme], in: directory)
            let manifest = directory.appendingPathComponent("m.csv")
            try Data("account,user,totp_enabled\nacme,*,true\n".utf8).write(to: manifest)

            // Another run holds acme (the same lock key the tool uses).
            let holder = try Connection(settings: harness.settings)
            defer { holder.close() }
            try holder.query("BEGIN")
            try holder.query("SELECT pg_advisory_xact_lock(hashtextextended('mfa_batch.tenant:' || $1, 0))", [acme.id])

            let report = directory.appendingPathComponent("r.json")
            let tool = try ToolProcess(["apply", manifest.path, "--credentials", credentials.path, "--report", report.path,
                                        "--quiet"], settings: harness.toolSettings)
            try waitUntil("the run waits for acme's lock") {
                try lockWaiters(connection, appNames: [tool.appName]) == 1
            }
            tool.send(SIGTERM)
            let exit = try tool.wait(seconds: 20)
            try holder.query("ROLLBACK")

            #expect(exit.status == 143, "\(exit.stderr)")
            let rows = UnattendedFixture.rows(try UnattendedFixture.report(report))
            #expect(rows.map { $0["status"] as? String } == ["not_applied"])
            #expect(try connection.query("SELECT count(*) FROM users WHERE totp_enabled").scalar == "0")
            #expect(try connection.query("SELECT outcome FROM job_runs").scalar == "interrupted")
        }
    }
}
