import Foundation
import Postgres
import Testing
import TestSupport

/// `plan --out PLAN`, `apply PLAN` and `--parallel`, through the built binary.
@Suite struct PlanCLITests {
    /// Three tenants a, b, c with two users each, all factors off; one key per tenant
    /// in a credentials file.
    private func seed(_ harness: CLIHarness, _ connection: Connection, in directory: URL) throws -> URL {
        var entries: [String] = []
        for slug in ["a", "b", "c"] {
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
        // Private, as a credentials file should be (else a warning joins stderr).
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: credentials.path)
        return credentials
    }

    /// A migrated database with tenants a, b, c seeded, a scratch directory, and the
    /// credentials file; the directory is removed afterwards.
    private func withSeededTenants(_ body: (CLIHarness, Connection, URL, URL) throws -> Void) throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try body(harness, connection, directory, try seed(harness, connection, in: directory))
        }
    }

    private func rows(_ url: URL) throws -> [[String: Any]] {
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        return report["rows"] as? [[String: Any]] ?? []
    }

    private func enabledCount(_ connection: Connection) throws -> String? {
        try connection.query("SELECT count(*) FROM users WHERE totp_enabled").scalar
    }

    @Test func aPlanAppliesExactlyWhatWasPreviewedAndRefusesChangedTenantsAsStale() throws {
        try withSeededTenants { harness, connection, directory, credentials in
            let manifest = directory.appendingPathComponent("m.csv")
            try Data("account,user,totp_enabled\na,*,true\nb,*,true\nc,u1@c.test,true\n".utf8).write(to: manifest)
            let plan = directory.appendingPathComponent("totp.plan")

            let planned = try harness.run(["plan", manifest.path, "--out", plan.path, "--credentials", credentials.path,
                                           "--report", directory.appendingPathComponent("plan.json").path, "--quiet"])
            #expect(planned.status == 0, "\(planned.stderr)")
            #expect(try rows(directory.appendingPathComponent("plan.json")).map { $0["status"] as? String }
                == ["would_change", "would_change", "would_change"])
            #expect(try enabledCount(connection) == "0")
            let attributes = try FileManager.default.attributesOfItem(atPath: plan.path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let planText = try String(contentsOf: plan, encoding: .utf8)
            #expect(!planText.contains("mfab_"))
            #expect(try connection.query("SELECT mode FROM job_runs").scalar == "plan")

            // Someone changes tenant b after planning.
            try connection.query("UPDATE users SET passkey_enabled = true WHERE email = 'u2@b.test'")

            let report = directory.appendingPathComponent("apply.json")
            let applied = try harness.run(["apply", plan.path, "--credentials", credentials.path, "--report", report.path,
                                           "--quiet"], currentDirectory: URL(fileURLWithPath: "/"))
            #expect(applied.status == 1, "\(applied.stderr)")
            let outcome = try rows(report)
            #expect(outcome.map { $0["status"] as? String } == ["changed", "stale", "changed"])
            #expect(outcome[1]["code"] is NSNull)
            #expect((outcome[1]["error"] as? String)?.contains("changed since the plan") == true)
            // a: both users, c: one user; b untouched.
            #expect(try enabledCount(connection) == "3")
            #expect(try connection.query("""
                SELECT count(*) FROM users u JOIN accounts a ON a.id = u.account_id WHERE a.slug = 'b' AND u.totp_enabled
                """).scalar == "0")
            let tenants = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])["tenants"]
                as? [[String: Any]]
            #expect(tenants?.map { $0["outcome"] as? String } == ["committed", "stale", "committed"])
        }
    }

    @Test func aPlanWhoseManifestChangedIsRefusedWithExit2() throws {
        try withSeededTenants { harness, connection, directory, credentials in
            let manifest = directory.appendingPathComponent("m.csv")
            try Data("account,user,totp_enabled\na,*,true\n".utf8).write(to: manifest)
            let plan = directory.appendingPathComponent("p.plan")
            #expect(try harness.run(["plan", manifest.path, "--out", plan.path, "--credentials", credentials.path,
                                     "--quiet"]).status == 0)
            try Data("account,user,totp_enabled\na,*,true\nb,*,true\n".utf8).write(to: manifest)
            let refused = try harness.run(["apply", plan.path, "--credentials", credentials.path, "--quiet"])
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("changed since the plan was made"))
            #expect(try enabledCount(connection) == "0")
            #expect(try harness.run(["plan", manifest.path, "--credentials", credentials.path]).status == 2)
            // --out may not overwrite the manifest or a report; a plan is an input of apply.
            let before = try Data(contentsOf: manifest)
            #expect(try harness.run(["plan", manifest.path, "--out", manifest.path, "--credentials", credentials.path]).status == 2)
            #expect(try Data(contentsOf: manifest) == before)
            let report = directory.appendingPathComponent("r.json").path
            #expect(try harness.run(["plan", manifest.path, "--out", report, "--report", report,
                                     "--credentials", credentials.path]).status == 2)
            #expect(try harness.run(["apply", plan.path, "--report", plan.path, "--credentials", credentials.path]).status == 2)
            #expect(FileManager.default.fileExists(atPath: plan.path))
        }
    }

    @Test func parallelTenantsGiveTheSameReportAsSerialOnes() throws {
        try withSeededTenants { harness, connection, directory, credentials in
            let manifest = directory.appendingPathComponent("m.csv")
            try Data("account,user,totp_enabled\nc,u1@c.test,true\na,*,true\nb,u2@b.test,true\nc,nobody@c.test,true\nb,*,true\n".utf8)
                .write(to: manifest)
            let serial = directory.appendingPathComponent("serial.json")
            let parallel = directory.appendingPathComponent("parallel.json")
            #expect(try harness.run(["apply", manifest.path, "--dry-run", "--credentials", credentials.path,
                                     "--report", serial.path, "--quiet"]).status == 1)
            let run = try harness.run(["apply", manifest.path, "--parallel", "3", "--credentials", credentials.path,
                                       "--report", parallel.path, "--quiet"])
            #expect(run.status == 1, "\(run.stderr)")
            // Row 3 decides u2@b (a named user beats *), row 5 the rest of b.
            let expected = ["not_applied", "changed", "changed", "invalid", "changed"]
            #expect(try rows(parallel).map { $0["status"] as? String } == expected)
            #expect(try rows(parallel).map { $0["row"] as? Int } == [1, 2, 3, 4, 5])
            #expect(try rows(serial).map { $0["status"] as? String }
                == ["not_applied", "would_change", "would_change", "invalid", "would_change"])
            // a and b committed (4 users), c rolled back because of its unknown user.
            #expect(try enabledCount(connection) == "4")
            #expect(try harness.run(["apply", manifest.path, "--parallel", "0"]).status == 2)
        }
    }

    @Test func progressAndJSONLogsGoToStderr() throws {
        try withSeededTenants { harness, connection, directory, credentials in
            let manifest = directory.appendingPathComponent("m.csv")
            try Data("account,user,totp_enabled\na,*,true\nb,*,true\n".utf8).write(to: manifest)
            // Serial: with --parallel (the default on 2 cores) tenants finish in either order.
            let text = try harness.run(["apply", manifest.path, "--credentials", credentials.path, "--quiet",
                                        "--progress", "always", "--dry-run", "--parallel", "1"])
            #expect(text.status == 0)
            #expect(text.stdout.isEmpty)
            #expect(text.stderr.contains("tenant 1/2 a: dry_run, 2 users changed"))
            #expect(text.stderr.contains("tenant 2/2 b: dry_run, 2 users changed"))
            // Not a terminal here: `auto` stays quiet.
            let auto = try harness.run(["apply", manifest.path, "--credentials", credentials.path, "--quiet", "--dry-run"])
            #expect(auto.stderr.isEmpty)

            let json = try harness.run(["apply", manifest.path, "--credentials", credentials.path, "--quiet",
                                        "--progress", "always", "--log-format", "json", "--parallel", "2"])
            #expect(json.status == 0)
            let lines = json.stderr.split(separator: "\n")
            #expect(lines.count == 3)
            for line in lines {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(object["level"] as? String == "info")
                #expect(object["time"] is String && object["message"] is String)
            }
            let failed = try harness.run(["apply", directory.appendingPathComponent("missing.csv").path,
                                          "--log-format", "json"])
            #expect(failed.status == 2)
            let error = try #require(try JSONSerialization.jsonObject(with: Data(failed.stderr.utf8)) as? [String: Any])
            #expect(error["level"] as? String == "error")
        }
    }

    @Test func pruneDeletesOldRunsAndTheirRowsButKeepsTheAudit() throws {
        try withSeededTenants { harness, connection, directory, credentials in
            let manifest = directory.appendingPathComponent("m.csv")
            try Data("account,user,totp_enabled\na,*,true\n".utf8).write(to: manifest)
            #expect(try harness.run(["apply", manifest.path, "--credentials", credentials.path, "--quiet"]).status == 0)
            #expect(try harness.run(["apply", manifest.path, "--dry-run", "--credentials", credentials.path, "--quiet"]).status == 0)
            let old = try #require(try connection.query("SELECT id FROM job_runs WHERE mode = 'apply'").scalar)
            try connection.query("UPDATE job_runs SET started_at = now() - interval '100 days' WHERE id = $1", [old])

            #expect(try harness.run(["runs", "prune"]).status == 2)
            let pruned = try harness.run(["runs", "prune", "--older-than", "90d"])
            #expect(pruned.status == 0, "\(pruned.stderr)")
            #expect(pruned.stderr.contains("deleted 1 runs and 1 row outcomes"))
            #expect(try connection.query("SELECT count(*) FROM job_runs").scalar == "1")
            #expect(try connection.query("SELECT count(*) FROM run_outcomes WHERE run_id = $1", [old]).scalar == "0")
            #expect(try connection.query("SELECT count(*) FROM mfa_audit WHERE run_id = $1", [old]).scalar == "2")
        }
    }
}
