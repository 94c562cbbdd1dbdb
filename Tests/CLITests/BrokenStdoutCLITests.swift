import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 12, item 4: a standard output that fails (full, closed, a pipe whose
/// reader went away) is an error the tool reports, never a trap (SIGILL, exit 132)
/// or a SIGPIPE that leaves the run recorded as `died` after tenants committed.
@Suite struct BrokenStdoutCLITests {
    @Test func aFullOrClosedStdoutIsReportedNotACrash() throws {
        let directory = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = directory.appendingPathComponent("m.csv")
        try Data("account,user,totp_enabled\nacme,*,true\n".utf8).write(to: manifest)
        for (redirect, reason) in [("> /dev/full", "No space left on device"), (">&-", "Bad file descriptor")] {
            let run = try ShellRun.run("exec \"$MFA\" validate \(shellQuoted(manifest.path)) \(redirect)", seconds: 20)
            #expect(!run.signalled && run.status == 0, "\(redirect): status \(run.status) \(run.stderr)")
            #expect(run.stderr.contains("the summary could not be printed") && run.stderr.contains(reason), "\(run.stderr)")
            let report = try ShellRun.run("exec \"$MFA\" validate \(shellQuoted(manifest.path)) --report - \(redirect)",
                                          seconds: 20)
            #expect(!report.signalled && report.status != 0 && report.status < 128, "\(redirect): \(report.status)")
            #expect(report.stderr.contains(reason), "\(report.stderr)")
        }
    }

    /// `--report - | head`: the reader goes away after tenants committed. The run
    /// ends as `report_failed` (exit 3), and the other report file is complete.
    @Test func aClosedPipeAfterTenantsCommittedStillCompletesTheRecordAndTheFiles() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let acme = UUID()
            try connection.query("INSERT INTO accounts (id, slug, name) VALUES ($1, 'acme', 'Acme')", [acme])
            try connection.query("INSERT INTO users (account_id, id, email) VALUES ($1, $2, 'a@acme.test')", [acme, UUID()])
            let key = try harness.run(["keys", "create", "--account", "acme"]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let manifest = directory.appendingPathComponent("m.csv")
            // Enough rows that the report outgrows the pipe's buffer.
            try Data(("account,user,totp_enabled\n" + String(repeating: "acme,*,true\n", count: 4_000)).utf8).write(to: manifest)
            let file = directory.appendingPathComponent("r.json")
            let run = try ShellRun.run("""
                "$MFA" apply \(shellQuoted(manifest.path)) --report - --report \(shellQuoted(file.path)) | head -c 100 > /dev/null
                echo "exit ${PIPESTATUS[0]}" >&2
                """, environment: ["DATABASE_URL": harness.settings.conninfo, "MFA_BATCH_API_KEY": key], seconds: 60)
            #expect(run.stderr.contains("exit 3"), "\(run.stderr)")
            #expect(try connection.query("SELECT outcome FROM job_runs").scalar == "report_failed")
            #expect(try connection.query("SELECT count(*) FROM users WHERE totp_enabled").scalar == "1")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
            #expect((report["rows"] as? [Any])?.count == 4_000)
        }
    }

    /// A key shown to no one is revoked at once.
    @Test func aKeyThatCannotBePrintedIsRevoked() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            try connection.query("INSERT INTO accounts (id, slug, name) VALUES ($1, 'acme', 'Acme')", [UUID()])
            let run = try ShellRun.run("exec \"$MFA\" keys create --account acme > /dev/full",
                                       environment: ["DATABASE_URL": harness.settings.conninfo], seconds: 20)
            #expect(!run.signalled && run.status == 3, "\(run.status) \(run.stderr)")
            #expect(run.stderr.contains("revoked"), "\(run.stderr)")
            #expect(try connection.query("SELECT count(*) FROM api_keys WHERE revoked_at IS NULL").scalar == "0")
        }
    }
}
