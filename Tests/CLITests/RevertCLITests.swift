import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 15: `runs revert RUN_ID --out PATH [--skipped PATH]`, through the built binary:
/// the manifest it writes is applied like any other and puts every user back.
@Suite struct RevertCLITests {
    /// Tenants alpha (4 users), bravo (3), charlie (2) with mixed settings, one key each.
    struct Fixture {
        var harness: CLIHarness
        var connection: Connection
        var directory: URL
        var tenants: [SeededTenant]
        var credentials: URL

        var alpha: SeededTenant { tenants[0] }
        var bravo: SeededTenant { tenants[1] }
        var charlie: SeededTenant { tenants[2] }

        func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

        func write(_ name: String, _ text: String) throws -> URL {
            let url = url(name)
            try Data(text.utf8).write(to: url)
            return url
        }

        /// Applies `manifest` (any mode); returns the run id from its report.
        @discardableResult
        func apply(_ manifest: URL, _ extra: [String] = [], expectStatus: Int32 = 0) throws -> String {
            let report = url("report-\(UUID().uuidString.prefix(8)).json")
            let output = try harness.run(["apply", manifest.path, "--credentials", credentials.path, "--report", report.path,
                                          "--quiet"] + extra)
            #expect(output.status == expectStatus, "apply \(manifest.lastPathComponent) \(extra): \(output.stderr)")
            return try #require(UnattendedFixture.runID(try UnattendedFixture.report(report)))
        }

        func revert(_ run: String, _ arguments: [String]) throws -> ProcessOutput {
            try harness.run(["runs", "revert", run] + arguments)
        }

        /// Every user of every tenant: `slug email totp passkey`, sorted.
        func allSettings() throws -> [String] {
            try connection.query("""
                SELECT a.slug || ' ' || u.email || ' ' || u.totp_enabled || ' ' || u.passkey_enabled
                FROM users u JOIN accounts a ON a.id = u.account_id ORDER BY 1
                """).rows.map { $0[0] ?? "" }
        }

        func auditCount(run: String) throws -> Int {
            Int(try connection.query("SELECT count(*) FROM mfa_audit WHERE run_id = $1::uuid", [run]).scalar ?? "") ?? -1
        }

        func user(_ tenant: SeededTenant, _ index: Int) -> UUID { tenant.users[index - 1].id }
    }

    private func withFixture(_ body: (Fixture) throws -> Void) throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let tenants = [
                try UnattendedFixture.seed(connection, slug: "alpha", users: 4),
                try UnattendedFixture.seed(connection, slug: "bravo", users: 3),
                try UnattendedFixture.seed(connection, slug: "charlie", users: 2),
            ]
            // Mixed starting points, so "restored" is not just "all false".
            try connection.query("UPDATE users SET passkey_enabled = true WHERE email IN ('u2@alpha.test', 'u1@charlie.test')")
            try connection.query("UPDATE users SET totp_enabled = true WHERE email = 'u3@alpha.test'")
            let credentials = try UnattendedFixture.credentials(harness, tenants, in: directory)
            try body(Fixture(harness: harness, connection: connection, directory: directory, tenants: tenants,
                             credentials: credentials))
        }
    }

    /// `*` rows and per-user rows over three tenants; alpha's u1 is changed by two rows
    /// (their own for the passkey, the `*` for TOTP), two audit rows.
    private let mixedManifest = """
        account,user,totp_enabled,passkey_enabled,comment
        alpha,u1@alpha.test,,true,pilot
        alpha,*,true,,enforce
        bravo,*,true,true,everything
        charlie,u2@charlie.test,true,,one
        charlie,u1@charlie.test,,false,off

        """

    private func jsonLines(_ url: URL) throws -> [[String: Any]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    private func permissions(_ url: URL) throws -> Int? {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber)?.intValue
    }

    @Test func applyThenApplyingTheRevertRestoresEveryUserExactly() throws {
        try withFixture { fixture in
            let original = try fixture.allSettings()
            let run = try fixture.apply(try fixture.write("mixed.csv", mixedManifest))
            let applied = try fixture.allSettings()
            #expect(applied != original)

            let revert = fixture.url("revert.jsonl")
            let output = try fixture.revert(run, ["--out", revert.path])
            #expect(output.status == 0, "\(output.stderr)")
            #expect(output.stderr.contains("reverting 12 settings of 8 users"), "\(output.stderr)")
            #expect(try permissions(revert) == 0o600)
            let rows = try jsonLines(revert)
            #expect(rows.count == 8)
            for row in rows {
                #expect(UUID(uuidString: row["user"] as? String ?? "") != nil, "named by id: \(row)")
                #expect(["alpha", "bravo", "charlie"].contains(row["account"] as? String ?? ""))
                #expect(Set(row.keys).isSubset(of: ["account", "user", "totp_enabled", "passkey_enabled", "comment"]))
                #expect((row["comment"] as? String ?? "").hasPrefix("revert of run \(run) row"))
            }
            // u1@alpha: TOTP by the `*` row 2, passkey by their own row 1.
            let u1 = try #require(rows.first { $0["user"] as? String == fixture.user(fixture.alpha, 1).uuidString.lowercased() })
            #expect(u1["totp_enabled"] as? Bool == false && u1["passkey_enabled"] as? Bool == false)
            #expect(u1["comment"] as? String == "revert of run \(run) rows 1, 2")
            // u3@alpha already had TOTP: nothing of theirs changed, no row.
            #expect(!rows.contains { $0["user"] as? String == fixture.user(fixture.alpha, 3).uuidString.lowercased() })

            // Works with the rest: validate, dry run, plan, apply.
            let validated = try fixture.harness.run(["validate", revert.path, "--quiet"])
            #expect(validated.status == 0, "\(validated.stderr)")
            let dryRun = try fixture.apply(revert, ["--dry-run"])
            #expect(try fixture.auditCount(run: dryRun) == 0)
            let planned = try fixture.harness.run(["plan", revert.path, "--out", fixture.url("revert.plan").path,
                                                   "--credentials", fixture.credentials.path, "--quiet"])
            #expect(planned.status == 0, "\(planned.stderr)")
            #expect(try fixture.allSettings() == applied)
            let reverted = try fixture.apply(revert)
            #expect(try fixture.allSettings() == original)
            #expect(try fixture.auditCount(run: reverted) == 8)
        }
    }

    @Test func theRevertIsTheSameInEveryFormatAndOnStdout() throws {
        try withFixture { fixture in
            let run = try fixture.apply(try fixture.write("mixed.csv", mixedManifest))
            var outputs: [String: ProcessOutput] = [:]
            for name in ["revert.csv", "revert.json", "revert.jsonl"] {
                outputs[name] = try fixture.revert(run, ["--out", fixture.url(name).path])
                #expect(outputs[name]?.status == 0, "\(outputs[name]?.stderr ?? "")")
                let validated = try fixture.harness.run(["validate", fixture.url(name).path, "--quiet"])
                #expect(validated.status == 0, "\(name): \(validated.stderr)")
            }
            let stdout = try fixture.revert(run, ["--out", "-"])
            #expect(stdout.status == 0)
            #expect(stdout.stdout == (try String(contentsOf: fixture.url("revert.jsonl"), encoding: .utf8)))

            let jsonl = try jsonLines(fixture.url("revert.jsonl"))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: fixture.url("revert.json"))) as? [[String: Any]])
            #expect(json.count == jsonl.count)
            func canonical(_ object: [String: Any]) throws -> Data {
                try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            }
            for (a, b) in zip(json, jsonl) { #expect(try canonical(a) == canonical(b)) }

            let csv = try String(contentsOf: fixture.url("revert.csv"), encoding: .utf8).split(separator: "\n")
            #expect(csv.first == "account,user,totp_enabled,passkey_enabled,comment")
            #expect(csv.count == jsonl.count + 1)
            for (line, object) in zip(csv.dropFirst(), jsonl) {
                func cell(_ key: String) -> String { (object[key] as? Bool).map { $0 ? "true" : "false" } ?? "" }
                let comment = object["comment"] as? String ?? ""
                #expect(line == "\(object["account"] as? String ?? ""),\(object["user"] as? String ?? ""),"
                    + "\(cell("totp_enabled")),\(cell("passkey_enabled")),\(comment.contains(",") ? "\"\(comment)\"" : comment)")
            }
        }
    }

    @Test func starRowsBecomeOneRowPerUserNamedById() throws {
        try withFixture { fixture in
            let run = try fixture.apply(try fixture.write("star.jsonl", """
                {"account": "bravo", "user": "*", "passkey_enabled": true}

                """))
            let revert = fixture.url("revert.jsonl")
            #expect(try fixture.revert(run, ["--out", revert.path]).status == 0)
            let rows = try jsonLines(revert)
            #expect(rows.map { $0["user"] as? String ?? "" }.sorted()
                == fixture.bravo.users.map { $0.id.uuidString.lowercased() }.sorted())
            for row in rows {
                #expect(row["account"] as? String == "bravo")
                #expect(row["passkey_enabled"] as? Bool == false)
                #expect(row["totp_enabled"] == nil)
                #expect(row["comment"] as? String == "revert of run \(run) row 1")
            }
        }
    }

    @Test func aSettingChangedSinceIsSkippedAndListedWithTheAuditRowThatChangedIt() throws {
        try withFixture { fixture in
            let run = try fixture.apply(try fixture.write("star.csv", "account,user,totp_enabled,passkey_enabled\nbravo,*,true,true\n"))
            // Since the run: u1's TOTP through the tool (an audit row), u2's passkey by hand.
            let later = try fixture.apply(try fixture.write("later.csv", "account,user,totp_enabled\nbravo,u1@bravo.test,false\n"))
            try fixture.connection.query("UPDATE users SET passkey_enabled = false WHERE email = 'u2@bravo.test'")
            let revert = fixture.url("revert.csv"), skipped = fixture.url("skipped.csv")
            let output = try fixture.revert(run, ["--out", revert.path, "--skipped", skipped.path])
            #expect(output.status == 0, "\(output.stderr)")
            #expect(output.stderr.contains("reverting 4 settings of 3 users"), "\(output.stderr)")
            #expect(output.stderr.contains("2 skipped: changed since"), "\(output.stderr)")
            let u1 = fixture.user(fixture.bravo, 1).uuidString.lowercased()
            let u2 = fixture.user(fixture.bravo, 2).uuidString.lowercased()
            #expect(output.stderr.contains("bravo user \(u1): totp_enabled is false, the run left true: changed since by run \(later)"),
                    "\(output.stderr)")
            #expect(output.stderr.contains("bravo user \(u2): passkey_enabled is false, the run left true: changed since"))
            #expect(try permissions(skipped) == 0o600)

            let lines = try String(contentsOf: skipped, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(lines.first == "account,user,setting,run_after,now,reason,later_audit_id,later_changed_at,later_run_id")
            #expect(lines.count == 3)
            let laterAudit = try #require(try fixture.connection.query(
                "SELECT id FROM mfa_audit WHERE run_id = $1::uuid", [later]).scalar)
            #expect(lines.contains { $0.hasPrefix("bravo,\(u1),totp_enabled,true,false,changed since,\(laterAudit),")
                && $0.hasSuffix(",\(later)") })
            #expect(lines.contains("bravo,\(u2),passkey_enabled,true,false,changed since,,,"))

            // The skipped settings are not in the manifest; the rest is, and applies.
            let manifest = try String(contentsOf: revert, encoding: .utf8)
            #expect(manifest.contains("bravo,\(u1),,false,"))
            #expect(manifest.contains("bravo,\(u2),false,,"))
            try fixture.apply(revert)
            let now = try UnattendedFixture.settings(fixture.connection, fixture.bravo.id)
            #expect(now.values.allSatisfy { $0.totp == "f" && $0.passkey == "f" })
        }
    }

    @Test func deletedUsersAreSkipped() throws {
        try withFixture { fixture in
            let run = try fixture.apply(try fixture.write("star.csv", "account,user,totp_enabled\ncharlie,*,true\n"))
            try fixture.connection.query("UPDATE users SET deleted_at = now() WHERE email = 'u2@charlie.test'")
            let revert = fixture.url("revert.json"), skipped = fixture.url("skipped.jsonl")
            let output = try fixture.revert(run, ["--out", revert.path, "--skipped", skipped.path])
            #expect(output.status == 0, "\(output.stderr)")
            #expect(output.stderr.contains("reverting 1 setting of 1 user"), "\(output.stderr)")
            #expect(output.stderr.contains("1 skipped: user deleted"), "\(output.stderr)")
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: revert)) as? [[String: Any]])
            #expect(rows.map { $0["user"] as? String } == [fixture.user(fixture.charlie, 1).uuidString.lowercased()])
            let listed = try jsonLines(skipped)
            #expect(listed.count == 1)
            #expect(listed.first?["user"] as? String == fixture.user(fixture.charlie, 2).uuidString.lowercased())
            #expect(listed.first?["reason"] as? String == "user deleted")
            #expect(listed.first?["setting"] as? String == "totp_enabled")
            #expect(listed.first?["run_after"] as? Bool == true)
        }
    }

    @Test func aRevertOfARevertRestoresTheOriginalRunsAfterState() throws {
        try withFixture { fixture in
            let run = try fixture.apply(try fixture.write("mixed.csv", mixedManifest))
            let applied = try fixture.allSettings()
            let first = fixture.url("undo.jsonl"), second = fixture.url("redo.csv")
            #expect(try fixture.revert(run, ["--out", first.path]).status == 0)
            let undo = try fixture.apply(first)
            #expect(try fixture.allSettings() != applied)
            // Reverting the original once more now reverts nothing: the undo changed it all since.
            let again = try fixture.revert(run, ["--out", fixture.url("again.jsonl").path])
            #expect(again.stderr.contains("reverting 0 settings of 0 users"), "\(again.stderr)")
            #expect(again.stderr.contains("12 skipped: changed since"), "\(again.stderr)")
            let output = try fixture.revert(undo, ["--out", second.path])
            #expect(output.status == 0, "\(output.stderr)")
            #expect(try String(contentsOf: second, encoding: .utf8).contains("revert of run \(undo) row"))
            try fixture.apply(second)
            #expect(try fixture.allSettings() == applied)
        }
    }

    @Test func dryRunsPlansAndUnknownRunsAreRefusedWithExit2() throws {
        try withFixture { fixture in
            let manifest = try fixture.write("star.csv", "account,user,totp_enabled\nalpha,*,true\n")
            let dryRun = try fixture.apply(manifest, ["--dry-run"])
            let out = fixture.url("revert.jsonl")
            let refused = try fixture.revert(dryRun, ["--out", out.path])
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("nothing was changed"), "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.path))

            let report = fixture.url("plan.json")
            let planned = try fixture.harness.run(["plan", manifest.path, "--out", fixture.url("p.plan").path,
                                                   "--credentials", fixture.credentials.path, "--report", report.path, "--quiet"])
            #expect(planned.status == 0)
            let plan = try #require(UnattendedFixture.runID(try UnattendedFixture.report(report)))
            let refusedPlan = try fixture.revert(plan, ["--out", out.path])
            #expect(refusedPlan.status == 2)
            #expect(refusedPlan.stderr.contains("was a plan"), "\(refusedPlan.stderr)")

            let unknown = UUID().uuidString.lowercased()
            let missing = try fixture.revert(unknown, ["--out", out.path])
            #expect(missing.status == 2)
            #expect(missing.stderr.contains("no run \(unknown)"), "\(missing.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.path))
            #expect((try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path)).allSatisfy { !$0.hasSuffix(".tmp") })

            let noOut = try fixture.revert(unknown, [])
            #expect(noOut.status == 2 && noOut.stderr.contains("--out"))
            let badExtension = try fixture.revert(unknown, ["--out", fixture.url("revert.txt").path])
            #expect(badExtension.status == 2 && badExtension.stderr.contains(".jsonl, .json or .csv"))
        }
    }

    @Test func aRunThatChangedNothingGivesAnEmptyManifest() throws {
        try withFixture { fixture in
            // u3@alpha already has TOTP: the row is `unchanged`.
            let run = try fixture.apply(try fixture.write("noop.csv", "account,user,totp_enabled\nalpha,u3@alpha.test,true\n"))
            let csv = fixture.url("revert.csv"), json = fixture.url("revert.json")
            let output = try fixture.revert(run, ["--out", csv.path])
            #expect(output.status == 0)
            #expect(output.stderr.contains("changed nothing"), "\(output.stderr)")
            #expect(try String(contentsOf: csv, encoding: .utf8) == "account,user,totp_enabled,passkey_enabled,comment\n")
            #expect(try fixture.revert(run, ["--out", json.path]).status == 0)
            #expect(try String(contentsOf: json, encoding: .utf8) == "[]\n")
            let validated = try fixture.harness.run(["validate", csv.path, "--quiet"])
            #expect(validated.status == 0, "\(validated.stderr)")
        }
    }
}
