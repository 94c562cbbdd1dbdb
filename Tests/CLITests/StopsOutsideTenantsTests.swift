import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 11, items 2–4: stops that do not land inside a tenant. Staging is held
/// deterministically by a lock on `accounts` that the test holds (the run's account
/// look-ups wait for it); the lock connection is cut while a tenant is paused.
@Suite struct StopsOutsideTenantsTests {
    struct Setup {
        var alpha: SeededTenant
        var bravo: SeededTenant
        var directory: URL
        var manifest: URL
        var credentials: URL
        var report: URL

        func arguments(_ extra: [String] = []) -> [String] {
            ["apply", manifest.path, "--credentials", credentials.path, "--report", report.path, "--quiet",
             "--parallel", "1"] + extra
        }
    }

    private func setup(_ harness: CLIHarness, _ connection: Connection) throws -> Setup {
        let alpha = try UnattendedFixture.seed(connection, slug: "alpha", users: 2)
        let bravo = try UnattendedFixture.seed(connection, slug: "bravo", users: 2)
        let directory = try CLIHarness.temporaryDirectory()
        let credentials = try UnattendedFixture.credentials(harness, [alpha, bravo], in: directory)
        let manifest = directory.appendingPathComponent("m.csv")
        try Data("account,user,totp_enabled\nalpha,*,true\nbravo,*,true\nalpha,not an email,true\n".utf8)
            .write(to: manifest)
        return Setup(alpha: alpha, bravo: bravo, directory: directory, manifest: manifest, credentials: credentials,
                     report: directory.appendingPathComponent("r.json"))
    }

    /// Locks `accounts` on a connection of its own until `release`.
    private func holdAccounts(_ settings: ConnectionSettings) throws -> Connection {
        let holder = try Connection(settings: settings)
        try holder.query("BEGIN")
        try holder.query("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE")
        return holder
    }

    private func waitUntilWaitingOnALock(_ tool: ToolProcess, _ connection: Connection) throws {
        try waitUntil("mfa-batch waits for the accounts lock while staging") {
            if !tool.isRunning { throw UnattendedTimeout(description: "exited early: \(tool.stderrSoFar)") }
            return try lockWaiters(connection, appNames: [tool.appName]) == 1
        }
    }

    private func statuses(_ report: URL) throws -> [String] {
        UnattendedFixture.rows(try UnattendedFixture.report(report)).map { $0["status"] as? String ?? "?" }
    }

    @Test func losingTheDatabaseWhileStagingStillWritesTheReportAndExits3() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let s = try setup(harness, connection)
            defer { try? FileManager.default.removeItem(at: s.directory) }
            let holder = try holdAccounts(harness.settings)
            let tool = try ToolProcess(s.arguments(), settings: harness.toolSettings)
            try waitUntilWaitingOnALock(tool, connection)
            #expect(try terminateLockWaiters(connection, appName: tool.appName) == 1)
            try holder.query("ROLLBACK")
            let exit = try tool.wait()

            #expect(exit.status == 3, "\(exit.stderr)")
            #expect(try statuses(s.report) == ["not_applied", "not_applied", "invalid"])
            let rows = UnattendedFixture.rows(try UnattendedFixture.report(s.report))
            #expect((rows[0]["error"] as? String)?.contains("lost while the manifest was read") == true)
            #expect(try UnattendedFixture.settings(connection, s.alpha.id).values.allSatisfy { $0.totp == "f" })
            #expect(try connection.query("SELECT outcome FROM job_runs").scalar == "database_error")
        }
    }

    @Test func aSignalWhileStagingStopsAtOnceWithEveryRowReported() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let s = try setup(harness, connection)
            defer { try? FileManager.default.removeItem(at: s.directory) }
            let holder = try holdAccounts(harness.settings)
            defer { _ = try? holder.query("ROLLBACK") }
            let tool = try ToolProcess(s.arguments(["--dry-run"]), settings: harness.toolSettings)
            try waitUntilWaitingOnALock(tool, connection)
            // Not released: the signal itself must end the wait.
            tool.send(SIGTERM)
            let exit = try tool.wait()

            #expect(exit.status == 143, "\(exit.stderr)")
            #expect(try statuses(s.report) == ["not_applied", "not_applied", "invalid"])
            let report = try UnattendedFixture.report(s.report)
            let summary = report["summary"] as? [String: Any] ?? [:]
            #expect((summary["tenants_rolled_back"] as? NSNumber)?.intValue == 0)
            #expect(try connection.query("SELECT outcome FROM job_runs").scalar == "interrupted")
        }
    }

    @Test func losingTheLockConnectionStopsBeforeTheNextTenant() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let s = try setup(harness, connection)
            defer { try? FileManager.default.removeItem(at: s.directory) }
            let pause = try TenantPause(settings: harness.settings, installOn: connection, account: s.alpha.id)
            let tool = try ToolProcess(s.arguments(["--job", "nightly", "--partial"]), settings: harness.toolSettings)
            try pause.waitUntilPaused(tool, observer: connection)
            // The run's lock connection: the one holding the run's liveness lock.
            let terminated = try connection.query("""
                SELECT count(*) FILTER (WHERE pg_terminate_backend(l.pid))
                FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 1297 AND a.application_name = $1
                """, [tool.appName]).scalar
            #expect(terminated == "1")
            pause.release()
            let exit = try tool.wait()

            #expect(exit.status == 3, "\(exit.stderr)")
            #expect(try statuses(s.report) == ["changed", "not_applied", "invalid"])
            #expect(try UnattendedFixture.settings(connection, s.bravo.id).values.allSatisfy { $0.totp == "f" })
            #expect(try connection.query("SELECT outcome FROM job_runs").scalar == "database_error")
        }
    }
}
