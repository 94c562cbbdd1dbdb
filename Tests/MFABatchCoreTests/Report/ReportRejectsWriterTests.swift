import Foundation
import Testing
@testable import MFABatchCore

@Suite("ReportRejectsWriterTests")
struct ReportRejectsWriterTests {
    private func outcome(for row: RawRow) -> RowOutcome {
        ReportSamples.outcomes.first { $0.row == row.row }!
    }

    @Test func csvMatchesGoldenFile() throws {
        let directory = try TemporaryDirectory()
        let writer = try RejectsWriter(path: directory.path("rejects.csv"), format: .csv, columns: ReportSamples.csvColumns)
        #expect(writer.columns == ["account", " user ", "totp_enabled", "passkey_enabled", "comment"])
        var written: [Int] = []
        for row in ReportSamples.csvRawRows where try writer.write(row, outcome: outcome(for: row)) {
            written.append(row.row)
        }
        try writer.finish()
        #expect(written == [3, 4, 5, 6, 7])
        #expect(writer.rowCount == 5)
        try ReportAssertions.expectSameBytes(Data(contentsOf: directory.url.appendingPathComponent("rejects.csv")),
                                             golden: "rejects.csv")
        #expect(try ReportAssertions.mode(directory.path("rejects.csv")) == 0o600)
        #expect(try directory.entries() == ["rejects.csv"])
    }

    @Test func csvKeepsAnExistingCommentColumnInPlace() throws {
        let directory = try TemporaryDirectory()
        let writer = try RejectsWriter(path: directory.path("r.csv"), format: .csv,
                                       columns: ["Comment", "account", "user", "totp_enabled"])
        let row = RawRow(row: 1, line: 2, fields: [
            RawField(name: "Comment", value: .string("old")), RawField(name: "account", value: .string("acme")),
            RawField(name: "user", value: .string("*")), RawField(name: "totp_enabled", value: .string("true")),
        ])
        try writer.write(row, reason: "new, reason")
        try writer.finish()
        #expect(try directory.text("r.csv") == "Comment,account,user,totp_enabled\n\"new, reason\",acme,*,true\n")
    }

    @Test func jsonMatchesGoldenFileAndParses() throws {
        let directory = try TemporaryDirectory()
        let writer = try RejectsWriter(path: directory.path("rejects.json"), format: .json)
        for (row, outcome) in zip(ReportSamples.jsonRawRows, ReportSamples.jsonOutcomes) {
            try writer.write(row, outcome: outcome)
        }
        try writer.finish()
        let data = try Data(contentsOf: directory.url.appendingPathComponent("rejects.json"))
        try ReportAssertions.expectSameBytes(data, golden: "rejects.json")
        let rows = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(rows.count == 3)
        #expect(rows[0]["totp_enabled"] as? Bool == true)
        #expect(rows[1]["totp_enabled"] as? String == "true")
        #expect(rows[1]["passkey_enabled"] as? Int == 1)
        #expect(rows[2]["account"] is NSNull)
        #expect(rows.map { $0["comment"] as? String } == ReportSamples.jsonOutcomes.map(\.error))
        #expect(rows.allSatisfy { $0["api_key"] == nil && $0["authorization"] == nil && $0["X-Api-Key"] == nil })
        #expect(try ReportAssertions.mode(directory.path("rejects.json")) == 0o600)
    }

    @Test func jsonLinesMatchesGoldenFile() throws {
        let directory = try TemporaryDirectory()
        let writer = try RejectsWriter(path: directory.path("rejects.jsonl"), format: .jsonl)
        for (row, outcome) in zip(ReportSamples.jsonRawRows, ReportSamples.jsonOutcomes) {
            try writer.write(row, outcome: outcome)
        }
        try writer.finish()
        let data = try Data(contentsOf: directory.url.appendingPathComponent("rejects.jsonl"))
        try ReportAssertions.expectSameBytes(data, golden: "rejects.jsonl")
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            #expect(try JSONSerialization.jsonObject(with: Data(line.utf8)) is [String: Any])
        }
    }

    @Test(arguments: ManifestFormat.allCases)
    func neverContainsACredential(format: ManifestFormat) throws {
        let directory = try TemporaryDirectory()
        let writer = try RejectsWriter(path: directory.path("r"), format: format, columns: ReportSamples.csvColumns)
        let rows = format == .csv ? ReportSamples.csvRawRows : ReportSamples.jsonRawRows
        for row in rows { try writer.write(row, reason: "failed") }
        try writer.finish()
        let text = try directory.text("r")
        #expect(!text.contains("secret"))
        #expect(!text.lowercased().contains("api_key") && !text.lowercased().contains("api-key"))
        #expect(!text.contains("authorization"))
    }

    @Test func successfulRowsAreSkipped() throws {
        let directory = try TemporaryDirectory()
        let writer = try RejectsWriter(path: directory.path("r.jsonl"), format: .jsonl)
        let row = ReportSamples.jsonRawRows[0]
        for status in RowStatus.allCases {
            let outcome = RowOutcome(row: 1, line: 1, account: "a", user: "u", status: status)
            #expect(try writer.write(row, outcome: outcome) == !status.isSuccess)
        }
        try writer.finish()
        #expect(writer.rowCount == RowStatus.allCases.filter { !$0.isSuccess }.count)
    }

    @Test func commentFallsBackToReasonThenStatus() throws {
        let directory = try TemporaryDirectory()
        let writer = try RejectsWriter(path: directory.path("r.jsonl"), format: .jsonl)
        let row = RawRow(row: 1, line: 1, fields: [RawField(name: "account", value: .string("a"))])
        try writer.write(row, outcome: RowOutcome(row: 1, line: 1, account: "a", user: "", status: .invalid, reason: "why"))
        try writer.write(row, outcome: RowOutcome(row: 1, line: 1, account: "a", user: "", status: .stale))
        try writer.finish()
        #expect(try directory.text("r.jsonl") == "{\"account\": \"a\", \"comment\": \"why\"}\n{\"account\": \"a\", \"comment\": \"stale\"}\n")
    }

    @Test(arguments: [(ManifestFormat.json, "[]\n"), (.jsonl, ""), (.csv, "account,user,comment\n")])
    func noRejectsStillWritesAnEmptyManifest(format: ManifestFormat, expected: String) throws {
        let directory = try TemporaryDirectory()
        let writer = try RejectsWriter(path: directory.path("r"), format: format, columns: ["account", "user"])
        try writer.finish()
        #expect(try directory.text("r") == expected)
        #expect(try ReportAssertions.mode(directory.path("r")) == 0o600)
    }

    @Test func invalidNumberTextStaysValidJSON() throws {
        let directory = try TemporaryDirectory()
        let writer = try RejectsWriter(path: directory.path("r.jsonl"), format: .jsonl)
        try writer.write(RawRow(row: 1, line: 1, fields: [RawField(name: "n", value: .number("01"))]), reason: "x")
        try writer.finish()
        #expect(try directory.text("r.jsonl") == "{\"n\": \"01\", \"comment\": \"x\"}\n")
    }
}
