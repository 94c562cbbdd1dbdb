import Foundation
import Postgres
import Testing
import TestSupport

/// Every example of `jobs/` runs as the quickstart runs it: on the demo tenants of
/// `jobs/demo-seed.sql`, validated, previewed and applied.
@Suite struct JobsExamplesTests {
    static let jobs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../jobs").standardized

    private func prepare(_ harness: CLIHarness, _ connection: Connection, in directory: URL) throws -> URL {
        try connection.execute(script: String(contentsOf: Self.jobs.appendingPathComponent("demo-seed.sql"), encoding: .utf8))
        var entries: [String] = []
        for slug in ["acme", "globex"] {
            let created = try harness.run(["keys", "create", "--account", slug])
            let key = try #require(created.stdout.split(separator: "\n").first)
            entries.append("\"\(slug)\": {\"api_key\": \"\(key)\"}")
        }
        let credentials = directory.appendingPathComponent("credentials.json")
        try Data(("{" + entries.joined(separator: ", ") + "}").utf8).write(to: credentials)
        return credentials
    }

    private func statuses(_ url: URL) throws -> [String] {
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        return (report["rows"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
    }

    @Test(arguments: [
        ("enforce-totp.csv", ["changed", "unchanged", "unchanged"]),
        ("passkey-rollout.json", ["changed", "changed", "changed"]),
    ])
    func exampleJobRunsEndToEnd(file: String, expected: [String]) throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let credentials = try prepare(harness, connection, in: directory)
            let manifest = Self.jobs.appendingPathComponent(file).path

            #expect(try harness.run(["validate", manifest, "--quiet"]).status == 0)
            let preview = directory.appendingPathComponent("preview.json")
            let dry = try harness.run(["apply", manifest, "--dry-run", "--credentials", credentials.path,
                                       "--report", preview.path, "--quiet"])
            #expect(dry.status == 0, "\(dry.stderr)")
            #expect(try statuses(preview) == expected.map { $0 == "changed" ? "would_change" : $0 })

            let report = directory.appendingPathComponent("apply.json")
            let applied = try harness.run(["apply", manifest, "--job", file, "--credentials", credentials.path,
                                           "--report", report.path, "--quiet"])
            #expect(applied.status == 0, "\(applied.stderr)")
            #expect(try statuses(report) == expected)

            let again = directory.appendingPathComponent("again.json")
            #expect(try harness.run(["apply", manifest, "--credentials", credentials.path, "--report", again.path,
                                     "--quiet"]).status == 0)
            #expect(try statuses(again) == expected.map { _ in "unchanged" })
        }
    }

    @Test func theEnforcementJobExemptsTheBot() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let credentials = try prepare(harness, connection, in: directory)
            let manifest = Self.jobs.appendingPathComponent("enforce-totp.csv").path
            #expect(try harness.run(["apply", manifest, "--credentials", credentials.path, "--quiet"]).status == 0)
            let rows = try connection.query("SELECT email, totp_enabled FROM users ORDER BY email").rows
            #expect(rows.filter { $0[1] == "f" }.map { $0[0] } == ["build-bot@acme.test"])
        }
    }

    @Test func theSchedulingExamplesCallTheDocumentedCommand() throws {
        for file in ["crontab.example", "mfa-batch.service"] {
            let text = try String(contentsOf: Self.jobs.appendingPathComponent(file), encoding: .utf8)
            #expect(text.contains("mfa-batch apply /etc/mfa-batch/enforce-totp.csv --job enforce-totp"))
        }
        let timer = try String(contentsOf: Self.jobs.appendingPathComponent("mfa-batch.timer"), encoding: .utf8)
        #expect(timer.contains("OnCalendar="))
    }
}
