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
        #expect(try harness.run(["validate", "-"], stdin: Data()).status == 2)
        #expect(try harness.run(["validate", "/nonexistent/manifest.csv"]).status == 2)
    }
}
