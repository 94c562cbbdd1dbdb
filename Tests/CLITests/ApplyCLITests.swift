import Foundation
import Postgres
import Testing
import TestSupport

/// `mfa-batch apply` as an operator runs it: the built binary on a migrated database.
@Suite struct ApplyCLITests {
    private func seed(_ connection: Connection) throws -> (acme: UUID, alice: UUID, bot: UUID) {
        let acme = UUID(), alice = UUID(), bot = UUID()
        try connection.query("INSERT INTO accounts (id, slug, name) VALUES ($1, 'acme', 'Acme')", [acme])
        try connection.query("""
            INSERT INTO users (account_id, id, email, totp_enabled) VALUES ($1, $2, 'alice@acme.test', false),
                                                                         ($1, $3, 'bot@acme.test', true)
            """, [acme, alice, bot])
        return (acme, alice, bot)
    }

    private func createKey(_ harness: CLIHarness, account: String) throws -> String {
        let created = try harness.run(["keys", "create", "--account", account])
        guard created.status == 0, let line = created.stdout.split(separator: "\n").first else {
            throw MigrateFailed(stderr: created.stderr)
        }
        return String(line)
    }

    private func totp(_ connection: Connection, _ user: UUID) throws -> String? {
        try connection.query("SELECT totp_enabled FROM users WHERE id = $1", [user]).scalar
    }

    private func report(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    private func statuses(_ report: [String: Any]) -> [String?] {
        (report["rows"] as? [[String: Any]] ?? []).map { $0["status"] as? String }
    }

    @Test func dryRunThenApplyACSVManifestWithTheEnvironmentKey() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let (_, alice, bot) = try seed(connection)
            let key = try createKey(harness, account: "acme")
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let manifest = directory.appendingPathComponent("totp.csv")
            try Data("account,user,totp_enabled,comment\r\nacme,*,true,enforce\r\nacme,BOT@acme.test,false,service\r\n".utf8)
                .write(to: manifest)
            let env: [String: String?] = ["MFA_BATCH_API_KEY": key]

            let dryReport = directory.appendingPathComponent("dry.json")
            let dry = try harness.run(["apply", manifest.path, "--dry-run", "--report", dryReport.path, "--quiet"],
                                      environment: env)
            #expect(dry.status == 0, "\(dry.stderr)")
            #expect(dry.stdout.isEmpty)
            #expect(statuses(try report(dryReport)) == ["would_change", "would_change"])
            #expect(try totp(connection, alice) == "f")
            #expect(try totp(connection, bot) == "t")
            #expect(try connection.query("SELECT count(*) FROM mfa_audit").scalar == "0")

            let applyReport = directory.appendingPathComponent("apply.json")
            let csvReport = directory.appendingPathComponent("apply.csv")
            let applied = try harness.run(["apply", manifest.path, "--report", applyReport.path, "--report", csvReport.path],
                                          environment: env)
            #expect(applied.status == 0, "\(applied.stderr)")
            #expect(!applied.stdout.isEmpty)
            let json = try report(applyReport)
            #expect(statuses(json) == ["changed", "changed"])
            let attributes = try FileManager.default.attributesOfItem(atPath: applyReport.path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let csv = try String(contentsOf: csvReport, encoding: .utf8)
            #expect(csv.hasPrefix("row,line,account,user,status,code,error,users_matched,users_changed,comment"))
            #expect(try totp(connection, alice) == "t")
            #expect(try totp(connection, bot) == "f")
            #expect(try connection.query("SELECT count(*) FROM mfa_audit").scalar == "2")
            let runID = (json["run"] as? [String: Any])?["id"] as? String
            #expect(try connection.query("SELECT mode, outcome FROM job_runs WHERE id = $1", [runID]).rows.first
                    == ["apply", "succeeded"])
            for output in [dry, applied] {
                #expect(!output.stdout.contains(key) && !output.stderr.contains(key))
            }
            #expect(!(try String(contentsOf: applyReport, encoding: .utf8)).contains(key))
        }
    }

    @Test func aFailingRowExits1AndWithoutPartialTheTenantCommitsNothing() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let (_, alice, _) = try seed(connection)
            let key = try createKey(harness, account: "acme")
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let credentials = directory.appendingPathComponent("credentials.json")
            try Data(#"{"acme": {"api_key": "\#(key)"}}"#.utf8).write(to: credentials)
            let manifest = directory.appendingPathComponent("rows.jsonl")
            try Data("""
                {"account": "acme", "user": "alice@acme.test", "totp_enabled": true}
                {"account": "acme", "user": "nobody@acme.test", "totp_enabled": true}

                """.utf8).write(to: manifest)
            let rejects = directory.appendingPathComponent("rejects.jsonl")
            let reportURL = directory.appendingPathComponent("r.json")

            let atomic = try harness.run(["apply", manifest.path, "--credentials", credentials.path, "--report", reportURL.path,
                                          "--rejects", rejects.path, "--quiet"], environment: ["MFA_BATCH_API_KEY": nil])
            #expect(atomic.status == 1, "\(atomic.stderr)")
            #expect(statuses(try report(reportURL)) == ["not_applied", "invalid"])
            #expect(try totp(connection, alice) == "f")
            let rejected = try String(contentsOf: rejects, encoding: .utf8).split(separator: "\n")
            #expect(rejected.count == 2)
            #expect(rejected.allSatisfy { !$0.contains(key) })

            let partial = try harness.run(["apply", manifest.path, "--partial", "--credentials", credentials.path,
                                           "--report", reportURL.path, "--quiet"], environment: ["MFA_BATCH_API_KEY": nil])
            #expect(partial.status == 1, "\(partial.stderr)")
            #expect(statuses(try report(reportURL)) == ["changed", "invalid"])
            #expect(try totp(connection, alice) == "t")
        }
    }

    @Test func aBadCSVHeaderExits2BeforeAnythingIsApplied() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let (_, alice, _) = try seed(connection)
            let key = try createKey(harness, account: "acme")
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let manifest = directory.appendingPathComponent("bad.csv")
            try Data("account,user,totp_enable\nacme,alice@acme.test,true\n".utf8).write(to: manifest)

            let output = try harness.run(["apply", manifest.path, "--quiet"], environment: ["MFA_BATCH_API_KEY": key])
            #expect(output.status == 2)
            #expect(output.stderr.contains("totp_enabled"))
            #expect(try totp(connection, alice) == "f")
            #expect(try connection.query("SELECT count(*) FROM job_runs").scalar == "0")
        }
    }

    /// Issue 11: a JSON `\u0000` (which PostgreSQL text cannot hold) in any value of a
    /// row, or in a bearer token's `kid` or `sub`, fails that row (400 or 401); it no
    /// longer stops the run with SQLSTATE 22021 (exit 3, no report, nothing applied).
    @Test func aNULInARowFailsThatRowAndTheRunGoesOn() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let (acme, alice, bot) = try seed(connection)
            let key = try createKey(harness, account: "acme")
            try JWTMinting.enable(connection)
            let secretHex = String(repeating: "5a", count: 32)
            try connection.query("INSERT INTO jwt_keys (account_id, kid, secret) VALUES ($1, 'k1', decode($2, 'hex'))",
                                 [acme, secretHex])
            let claims: [String: Any] = ["acct": acme.uuidString.lowercased(), "sub": "svc", "scope": "mfa:admin",
                                         "exp": Int(Date().timeIntervalSince1970) + 3600]
            var nulSub = claims
            nulSub["sub"] = "svc\u{0}"
            let nulKidToken = try JWTMinting.hs256(kid: "k1\u{0}", claims: claims, keyHex: secretHex, using: connection)
            let nulSubToken = try JWTMinting.hs256(kid: "k1", claims: nulSub, keyHex: secretHex, using: connection)
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let manifest = directory.appendingPathComponent("rows.jsonl")
            try Data(#"""
                {"account": "acme", "user": "alice@acme.test", "totp_enabled": true, "comment": "fine"}
                {"account": "acme", "user": "*", "totp_enabled": true, "comment": "a\u0000b"}
                {"account": "acme", "user": "bob\u0000@acme.test", "totp_enabled": true}
                {"account": "ac\u0000me", "user": "*", "totp_enabled": true}
                {"account": "acme", "user": "*", "totp_enabled": true, "api_key": "\#(key)\u0000"}
                {"account": "acme", "user": "*", "totp_enabled": true, "note": "x\u0000"}
                {"account": "acme", "user": "bot@acme.test", "totp_enabled": false, "authorization": "Bearer \#(nulKidToken)"}
                {"account": "acme", "user": "bot@acme.test", "totp_enabled": false, "authorization": "Bearer \#(nulSubToken)"}

                """#.utf8).write(to: manifest)
            let reportURL = directory.appendingPathComponent("r.json")
            let failed = ["invalid", "invalid", "invalid", "invalid", "invalid", "unauthorized", "unauthorized"]

            let atomic = try harness.run(["apply", manifest.path, "--report", reportURL.path, "--quiet"],
                                         environment: ["MFA_BATCH_API_KEY": key])
            #expect(atomic.status == 1, "\(atomic.stderr)")
            #expect(statuses(try report(reportURL)) == ["not_applied"] + failed)
            #expect(try totp(connection, alice) == "f")

            let partial = try harness.run(["apply", manifest.path, "--partial", "--report", reportURL.path, "--quiet"],
                                          environment: ["MFA_BATCH_API_KEY": key])
            #expect(partial.status == 1, "\(partial.stderr)")
            let json = try report(reportURL)
            #expect(statuses(json) == ["changed"] + failed)
            let rows = json["rows"] as? [[String: Any]] ?? []
            #expect(rows.map { $0["error"] as? String ?? "" }.suffix(2) == ["malformed token", "malformed token"])
            #expect(rows.count == 8 && rows[1]["comment"] as? String == "a\u{FFFD}b")
            #expect(try totp(connection, alice) == "t")
            #expect(try totp(connection, bot) == "t")
            let runID = (json["run"] as? [String: Any])?["id"] as? String
            #expect(try connection.query("SELECT sum(cardinality(row_no)) FROM run_outcomes WHERE run_id = $1", [runID]).scalar == "8")
            let reportText = try String(contentsOf: reportURL, encoding: .utf8)
            #expect(!partial.stderr.contains(key) && !reportText.contains(key))
        }
    }
}
