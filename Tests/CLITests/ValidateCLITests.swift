import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct ValidateCLITests {
    let harness = CLIHarness(settings: ConnectionSettings(conninfo: "postgresql://nobody@127.0.0.1:1/none"))

    @Test func validManifestExits0AndWritesPrivateReports() throws {
        let directory = try CLIHarness.temporaryDirectory()
        let manifest = directory.appendingPathComponent("ok.csv")
        try Data("account,user,totp_enabled\nacme,*,true\nacme,bot@acme.test,FALSE\n".utf8).write(to: manifest)
        let report = directory.appendingPathComponent("report.json")
        let output = try harness.run(["validate", manifest.path, "--report", report.path, "--quiet"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.isEmpty)
        let attributes = try FileManager.default.attributesOfItem(atPath: report.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(rows.map { $0["status"] as? String } == ["valid", "valid"])
        #expect(rows.map { $0["line"] as? Int } == [2, 3])
        let run = try #require(json["run"] as? [String: Any])
        #expect(run["mode"] as? String == "validate")
    }

    @Test func invalidRowsExit1WithRejectsWithoutCredentials() throws {
        let directory = try CLIHarness.temporaryDirectory()
        let manifest = directory.appendingPathComponent("bad.jsonl")
        let secret = "mfab_deadbeef_THISISASECRETVALUE1234567890abcdefghij"
        try Data("""
            {"account": "acme", "user": "*", "totp_enabled": true}
            {"account": "acme", "user": "x@acme.test", "totp_enabled": "true", "api_key": "\(secret)"}

            """.utf8).write(to: manifest)
        let rejects = directory.appendingPathComponent("rejects.jsonl")
        let output = try harness.run(["validate", manifest.path, "--rejects", rejects.path, "--report", "-"])
        #expect(output.status == 1)
        let text = try String(contentsOf: rejects, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 1)
        let row = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(row["api_key"] == nil)
        #expect((row["comment"] as? String)?.contains("totp_enabled") == true)
        #expect(!text.contains(secret) && !output.stdout.contains(secret) && !output.stderr.contains(secret))
        // --report - puts the JSON report on stdout, and nothing else there.
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        #expect((report["summary"] as? [String: Any])?["invalid"] as? Int == 1)
    }

    @Test func unusableManifestIsExit2NamingTheColumn() throws {
        let output = try harness.run(["validate", "-", "--format", "csv"], stdin: Data("account,user,totp_enable\n".utf8))
        #expect(output.status == 2)
        #expect(output.stderr.contains("totp_enable"))
        #expect(output.stderr.contains("did you mean totp_enabled"))
        // Named as the operator gave it, not as the spool file it was read from.
        #expect(output.stderr.contains("<stdin>") && !output.stderr.contains("mfa-batch-stdin"))
        let rowError = try harness.run(["validate", "-", "--format", "csv"],
                                       stdin: Data("account,user,totp_enabled\nacme,\"open,true\n".utf8))
        #expect(rowError.status == 2 && rowError.stderr.contains("<stdin>: line 2"), "\(rowError.stderr)")
        #expect(try harness.run(["validate", "-"], stdin: Data()).status == 2)
        #expect(try harness.run(["validate", "-"], stdin: Data()).stderr.contains("needs --format"))
        #expect(try harness.run(["validate", "/nonexistent/manifest.csv"]).status == 2)
    }

    @Test func outputsThatWouldOverwriteEachOtherOrTheManifestAreRefused() throws {
        let directory = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = directory.appendingPathComponent("m.csv")
        let original = Data("account,user,totp_enabled\nacme,*,true\n".utf8)
        try original.write(to: manifest)
        let overwrite = try harness.run(["validate", manifest.path, "--report", manifest.path])
        #expect(overwrite.status == 2)
        #expect(try Data(contentsOf: manifest) == original)
        let same = directory.appendingPathComponent("x.csv").path
        #expect(try harness.run(["validate", manifest.path, "--report", same, "--rejects", same]).status == 2)
        let stdout = try harness.run(["validate", manifest.path, "--report", "-", "--rejects", "-"])
        #expect(stdout.status == 2 && stdout.stderr.contains("stdout"))
    }

    @Test func rejectsOnStdoutAreTheManifestAlone() throws {
        let directory = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = directory.appendingPathComponent("m.csv")
        try Data("account,user,totp_enabled\nacme,*,true\nacme,bob,true\n".utf8).write(to: manifest)
        let result = try harness.run(["validate", manifest.path, "--rejects", "-"])
        #expect(result.status == 1)
        // No summary table after it: stdout can be saved and fixed as a manifest.
        #expect(result.stdout.hasPrefix("account,user,totp_enabled,comment"))
        #expect(result.stdout.split(separator: "\n", omittingEmptySubsequences: true).count == 2)
    }

    @Test func formatMayNotContradictTheFileName() throws {
        let directory = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = directory.appendingPathComponent("m.csv")
        try Data("account,user,totp_enabled\nacme,*,true\n".utf8).write(to: manifest)
        let contradicted = try harness.run(["validate", manifest.path, "--format", "json"])
        #expect(contradicted.status == 2 && contradicted.stderr.contains("contradicts the file name"))
        #expect(try harness.run(["validate", manifest.path, "--format", "csv", "--quiet"]).status == 0)
        let unnamed = directory.appendingPathComponent("m.txt")
        try Data("account,user,totp_enabled\nacme,*,true\n".utf8).write(to: unnamed)
        #expect(try harness.run(["validate", unnamed.path, "--format", "csv", "--quiet"]).status == 0)
        #expect(try harness.run(["validate", unnamed.path, "--quiet"]).status == 2)
    }

    @Test func commandGroupsHaveHelp() throws {
        let help = try harness.run(["keys", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("keys create") && help.stdout.contains("keys revoke"))
        #expect(try harness.run(["keys"]).status == 2)
    }

    @Test func rejectsLeaveOutCredentialsUnderAnyName() throws {
        let directory = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = "mfab_deadbeef_PASTEDKEYPASTEDKEYPASTEDKEYPASTEDKEY123"
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl"
        let manifest = directory.appendingPathComponent("m.jsonl")
        try Data("""
            {"account": "acme", "user": "a@acme.test", "totp_enabled": true, "token": "Bearer \(jwt)"}
            {"account": "acme", "user": "\(key)", "totp_enabled": true}
            {"account": "acme", "user": "b@acme.test", "totp_enabled": true, "x-api-token": "\(key)"}

            """.utf8).write(to: manifest)
        let rejects = directory.appendingPathComponent("rejects.jsonl")
        let output = try harness.run(["validate", manifest.path, "--rejects", rejects.path, "--quiet"])
        #expect(output.status == 1)
        let text = try String(contentsOf: rejects, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 3)
        #expect(!text.contains(key) && !text.contains(jwt))
        #expect(text.contains("a@acme.test") && text.contains("b@acme.test"))
    }

    /// Issue 11: a JSON `\u0000` makes its row invalid (exit 1, every other row still
    /// checked), named in the error without the credential; NUL bytes in the file make
    /// the manifest unusable (exit 2). No output holds a NUL byte.
    @Test func aNULInAnyValueMakesItsRowInvalidAndNULBytesTheFileUnusable() throws {
        let directory = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = "mfab_deadbeef_NULKEYNULKEYNULKEYNULKEYNULKEYNULKEY12345"
        let manifest = directory.appendingPathComponent("m.jsonl")
        try Data(#"""
            {"account": "acme", "user": "*", "totp_enabled": true, "comment": "fine"}
            {"account": "acme", "user": "*", "totp_enabled": true, "comment": "a\u0000b"}
            {"account": "acme", "user": "bob\u0000@acme.test", "totp_enabled": true}
            {"account": "ac\u0000me", "user": "*", "totp_enabled": true}
            {"account": "acme", "user": "*", "totp_enabled": true, "api_key": "\#(key)\u0000"}
            {"account": "acme", "user": "*", "totp_enabled": true, "authorization": "Bearer eyJ\u0000.eyJ.x"}
            {"account": "acme", "user": "*", "totp_enabled": true, "tokn": "\#(key)\u0000"}
            {"account": "acme", "user": "*", "totp_enabled": true, "x\u0000": 1}

            """#.utf8).write(to: manifest)
        let jsonReport = directory.appendingPathComponent("r.json")
        let csvReport = directory.appendingPathComponent("r.csv")
        let rejects = directory.appendingPathComponent("rejects.jsonl")
        let output = try harness.run(["validate", manifest.path, "--report", jsonReport.path, "--report", csvReport.path,
                                      "--rejects", rejects.path])
        #expect(output.status == 1, "\(output.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: jsonReport)) as? [String: Any])
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(rows.map { $0["status"] as? String } == ["valid"] + Array(repeating: "invalid", count: 7))
        #expect(rows.map { $0["error"] as? String } == [
            nil,
            #"comment: contains a NUL character, got "a\u0000b""#,
            #"user: contains a NUL character, got "bob\u0000@acme.test""#,
            #"account: contains a NUL character, got "ac\u0000me""#,
            "api_key: contains a NUL character (value not shown)",
            "authorization: contains a NUL character (value not shown)",
            #"unknown field "tokn"; its value contains a NUL character"#,
            #"field name "x\u0000" contains a NUL character"#,
        ])
        #expect(rows[1]["comment"] as? String == "a\u{FFFD}b")
        for file in [jsonReport, csvReport, rejects] {
            let bytes = try Data(contentsOf: file)
            #expect(!bytes.contains(0), "\(file.lastPathComponent)")
            #expect(!String(decoding: bytes, as: UTF8.self).contains(key))
        }
        #expect(!output.stdout.contains(key) && !output.stderr.contains(key))

        for (name, text) in [("raw.jsonl", "{\"account\": \"acme\", \"user\": \"*\", \"comment\": \"a\u{0}b\"}\n"),
                             ("raw.json", "[{\"account\": \"acme\", \"user\": \"*\", \"totp_enabled\": true}]\u{0}")] {
            let file = directory.appendingPathComponent(name)
            try Data(text.utf8).write(to: file)
            let unusable = try harness.run(["validate", file.path, "--quiet"])
            #expect(unusable.status == 2, "\(name): \(unusable.stderr)")
            #expect(unusable.stderr.contains("\(name): line 1: ") && unusable.stderr.contains("NUL byte"))
        }
    }
}
