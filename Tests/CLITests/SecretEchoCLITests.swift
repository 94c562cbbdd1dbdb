import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 12, item 5: a key put in the wrong field (`account`, `user`, `comment`) is
/// never printed in a report nor stored in `run_outcomes`; a headerless CSV does not
/// echo its first row as column names; every echoed value is bounded.
@Suite struct SecretEchoCLITests {
    static let key = "mfab_0badc0de_QWxsIHlvdXIgYmFzZSBhcmUgYmVsb25nIHRvIHVzISEhISE"
    static let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"

    @Test func aKeyInAccountUserOrCommentIsRedactedInReportsAndRunOutcomes() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            try connection.query("INSERT INTO accounts (id, slug, name) VALUES ($1, 'acme', 'Acme')", [UUID()])
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let manifest = directory.appendingPathComponent("m.csv")
            let long = String(repeating: "x", count: 5_000)
            try Data("""
                account,user,totp_enabled,comment
                \(Self.key),a@acme.test,true,
                acme,\(Self.key),true,
                acme,*,true,rotated \(Self.key) today
                acme,Bearer \(Self.jwt),true,
                acme,*,true,\(long)

                """.utf8).write(to: manifest)
            let json = directory.appendingPathComponent("r.json"), csv = directory.appendingPathComponent("r.csv")
            let output = try harness.run(["apply", manifest.path, "--dry-run", "--report", json.path, "--report", csv.path],
                                         environment: ["MFA_BATCH_API_KEY": "mfab_00000000_nope"])
            #expect(output.status == 1, "\(output.stderr)")
            let texts = [output.stdout, output.stderr, try String(contentsOf: json, encoding: .utf8),
                         try String(contentsOf: csv, encoding: .utf8)]
            for text in texts {
                #expect(!text.contains("QWxsIHlvdXIgYmFzZSBhcmUg") && !text.contains(Self.jwt), "\(text)")
                #expect(!text.contains(long))
            }
            #expect(texts[2].contains("[redacted: looks like a credential]"))
            let stored = try connection.query("""
                SELECT a, u, c FROM run_outcomes, unnest(account, user_text, comment) AS t(a, u, c)
                """)
            #expect(stored.rows.count == 5)
            for row in stored.rows {
                for value in row {
                    #expect(!(value ?? "").contains("QWxsIHlvdXIgYmFzZSBhcmUg") && !(value ?? "").contains(Self.jwt))
                    #expect((value ?? "").unicodeScalars.count <= 201)
                }
            }
        }
    }

    @Test func aHeaderlessCSVDoesNotEchoItsFirstRowAsColumnNames() throws {
        let harness = CLIHarness(settings: ConnectionSettings(conninfo: "postgresql://nobody@127.0.0.1:1/none"))
        for firstLine in ["acme,alice@acme.test,true,\(Self.key)", "\(Self.key),acme,true", "acme,*,TRUE,\(Self.jwt)"] {
            let output = try harness.run(["validate", "-", "--format", "csv"], stdin: Data((firstLine + "\n").utf8))
            #expect(output.status == 2)
            #expect(output.stderr.contains("the first line is not a header"), "\(output.stderr)")
            #expect(!output.stderr.lowercased().contains("qwxsihlvdxigymfzzsbhcmug") && !output.stderr.contains(Self.jwt)
                    && !output.stderr.contains("QWxsIHlvdXIgYmFzZSBhcmUg"), "\(output.stderr)")
        }
    }

    @Test func aHugeColumnNameOrNumberIsEchoedCut() throws {
        let harness = CLIHarness(settings: ConnectionSettings(conninfo: "postgresql://nobody@127.0.0.1:1/none"))
        let name = String(repeating: "n", count: 500_000)
        let header = try harness.run(["validate", "-", "--format", "csv"],
                                     stdin: Data("account,user,totp_enabled,\(name)\n".utf8))
        #expect(header.status == 2)
        #expect(header.stderr.utf8.count < 2_000, "\(header.stderr.utf8.count) bytes")
        let digits = String(repeating: "9", count: 500_000)
        let number = try harness.run(["validate", "-", "--format", "jsonl", "--report", "-"],
                                     stdin: Data("{\"account\": \"acme\", \"user\": \"*\", \"totp_enabled\": \(digits)}\n".utf8))
        #expect(number.status == 1)
        #expect(number.stdout.utf8.count < 5_000, "\(number.stdout.utf8.count) bytes")
    }
}
