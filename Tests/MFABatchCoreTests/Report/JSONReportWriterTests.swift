import Foundation
import Testing
@testable import MFABatchCore

@Suite("JSONReportWriterTests")
struct JSONReportWriterTests {
    private func writeSample(to path: String) throws {
        let writer = try JSONReportWriter(path: path)
        try writer.begin(run: ReportSamples.run)
        for outcome in ReportSamples.outcomes { try writer.write(outcome) }
        try writer.finish(run: ReportSamples.run, summary: ReportSamples.summary, tenants: ReportSamples.tenants)
    }

    @Test func matchesGoldenFile() throws {
        let directory = try TemporaryDirectory()
        try writeSample(to: directory.path("report.json"))
        try ReportAssertions.expectSameBytes(Data(contentsOf: directory.url.appendingPathComponent("report.json")),
                                             golden: "report.json")
    }

    @Test func emptyRunMatchesGoldenFile() throws {
        let directory = try TemporaryDirectory()
        let run = RunInfo(id: nil, job: nil, mode: .validate, manifest: "-", manifestSHA256: nil,
                          startedAt: Date(timeIntervalSince1970: -0.001), finishedAt: nil, partial: true)
        let writer = try JSONReportWriter(path: directory.path("empty.json"))
        try writer.begin(run: run)
        try writer.finish(run: run, summary: ReportSummary(), tenants: [])
        try ReportAssertions.expectSameBytes(Data(contentsOf: directory.url.appendingPathComponent("empty.json")),
                                             golden: "report-empty.json")
    }

    @Test func isValidJSONWithTheContractsKeysAndValues() throws {
        let directory = try TemporaryDirectory()
        try writeSample(to: directory.path("report.json"))
        let data = try Data(contentsOf: directory.url.appendingPathComponent("report.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(root.keys) == ["report_version", "run", "summary", "tenants", "rows"])
        #expect(root["report_version"] as? Int == 1)

        let run = try #require(root["run"] as? [String: Any])
        #expect(Set(run.keys) == ["id", "job", "mode", "manifest", "manifest_sha256", "started_at", "finished_at", "partial"])
        #expect(run["manifest"] as? String == "jobs/ünïcode \"q\".csv")
        #expect(run["started_at"] as? String == "2026-11-29T15:12:46.123Z")
        #expect(run["partial"] as? Bool == false)

        let summary = try #require(root["summary"] as? [String: Int])
        #expect(summary.count == 1 + RowStatus.allCases.count + 3)
        for status in RowStatus.allCases { #expect(summary[status.rawValue] == ReportSamples.summary.count(status)) }
        #expect(summary["rows"] == 7)
        #expect(summary["tenants_rolled_back"] == 2)

        let tenants = try #require(root["tenants"] as? [[String: Any]])
        #expect(tenants.map { $0["account"] as? String } == ["acme", "globex", "initech"])
        #expect(tenants[1]["account_id"] is NSNull)

        let rows = try #require(root["rows"] as? [[String: Any]])
        #expect(rows.count == ReportSamples.outcomes.count)
        for (row, outcome) in zip(rows, ReportSamples.outcomes) {
            #expect(Set(row.keys) == ["row", "line", "account", "user", "status", "code", "error",
                                      "users_matched", "users_changed", "comment"])
            #expect(row["row"] as? Int == outcome.row)
            #expect(row["line"] as? Int == outcome.line)
            #expect(row["account"] as? String == outcome.account)
            #expect(row["user"] as? String == outcome.user)
            #expect(row["status"] as? String == outcome.status.rawValue)
            #expect(row["code"] as? Int == outcome.status.code)
            #expect((row["code"] is NSNull) == (outcome.status.code == nil))
            #expect(row["error"] as? String == outcome.error)
            #expect((row["error"] is NSNull) == (outcome.error == nil))
            #expect(row["users_matched"] as? Int == outcome.usersMatched)
            #expect(row["users_changed"] as? Int == outcome.usersChanged)
            #expect(row["comment"] as? String == outcome.comment)
            #expect((row["comment"] is NSNull) == (outcome.comment == nil))
        }
    }

    @Test func keysAreWrittenInContractOrder() throws {
        let directory = try TemporaryDirectory()
        try writeSample(to: directory.path("report.json"))
        let text = try directory.text("report.json")
        let top = ReportAssertions.offsets(of: ["report_version", "run", "summary", "tenants", "rows"], in: text,
                                           prefix: "\n  ")
        #expect(!top.contains(-1) && top == top.sorted())
        let runKeys = ReportAssertions.offsets(
            of: ["id", "job", "mode", "manifest", "manifest_sha256", "started_at", "finished_at", "partial"], in: text)
        #expect(!runKeys.contains(-1) && runKeys == runKeys.sorted())
        let summaryKeys = ReportAssertions.offsets(
            of: ["rows"] + RowStatus.allCases.map(\.rawValue) + ["users_changed", "tenants_committed", "tenants_rolled_back"],
            in: String(text[text.range(of: "\"summary\"")!.lowerBound...]))
        #expect(!summaryKeys.contains(-1) && summaryKeys == summaryKeys.sorted())
        let firstRow = try #require(text.components(separatedBy: "\n").first { $0.contains("\"row\": 1,") })
        let rowKeys = ReportAssertions.offsets(
            of: ["row", "line", "account", "user", "status", "code", "error", "users_matched", "users_changed", "comment"],
            in: firstRow)
        #expect(!rowKeys.contains(-1) && rowKeys == rowKeys.sorted())
    }

    @Test func fileIsCreatedMode0600AndLeavesNoTemporaryFiles() throws {
        let directory = try TemporaryDirectory()
        try writeSample(to: directory.path("report.json"))
        #expect(try ReportAssertions.mode(directory.path("report.json")) == 0o600)
        #expect(try directory.entries() == ["report.json"])
    }

    @Test func replacesAnExistingWorldReadableFileWithA0600One() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("report.json")
        #expect(FileManager.default.createFile(atPath: path, contents: Data("old".utf8), attributes: [.posixPermissions: 0o644]))
        try writeSample(to: path)
        #expect(try ReportAssertions.mode(path) == 0o600)
        #expect(try directory.text("report.json").hasPrefix("{\n  \"report_version\": 1,"))
    }

    @Test func nothingReachesTheDestinationBeforeFinish() throws {
        let directory = try TemporaryDirectory()
        let writer = try JSONReportWriter(path: directory.path("report.json"))
        try writer.begin(run: ReportSamples.run)
        for outcome in ReportSamples.outcomes { try writer.write(outcome) }
        #expect(!FileManager.default.fileExists(atPath: directory.path("report.json")))
        writer.discard()
        #expect(try directory.entries() == [])
    }

    @Test func writesToADescriptorLikeStandardOutput() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("stdout.json")
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        try #require(fd >= 0)
        defer { close(fd) }
        let writer = try JSONReportWriter(output: .descriptor(fd))
        try writer.begin(run: ReportSamples.run)
        for outcome in ReportSamples.outcomes { try writer.write(outcome) }
        try writer.finish(run: ReportSamples.run, summary: ReportSamples.summary, tenants: ReportSamples.tenants)
        try ReportAssertions.expectSameBytes(Data(contentsOf: URL(fileURLWithPath: path)), golden: "report.json")
        #expect(try directory.entries() == ["stdout.json"])
    }

    /// 300k rows: the writer keeps at most one chunk in memory and spools the rest,
    /// and the assembled report is complete, in order, and valid JSON.
    @Test func largeReportIsSpooledAndComplete() throws {
        let directory = try TemporaryDirectory()
        let count = 300_000
        let writer = try JSONReportWriter(path: directory.path("big.json"))
        try writer.begin(run: ReportSamples.run)
        var summary = ReportSummary()
        var maxBuffered = 0
        for index in 1...count {
            let outcome = RowOutcome(row: index, line: index + 1, account: "acct-\(index % 97)", user: "u\(index)@x.com",
                                     status: index % 10 == 0 ? .invalid : .changed, error: index % 10 == 0 ? "bad \"row\"" : nil,
                                     usersMatched: 1, usersChanged: index % 10 == 0 ? nil : 1, comment: nil)
            try writer.write(outcome)
            summary.add(outcome)
            maxBuffered = max(maxBuffered, writer.bufferedByteCount)
        }
        #expect(maxBuffered <= OutputBuffer.flushThreshold + 1024)
        #expect(writer.spooledByteCount > 100 * OutputBuffer.flushThreshold)
        try writer.finish(run: ReportSamples.run, summary: summary, tenants: [])

        let data = try Data(contentsOf: directory.url.appendingPathComponent("big.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let rows = try #require(root["rows"] as? [[String: Any]])
        #expect(rows.count == count)
        #expect(rows.enumerated().allSatisfy { $0.element["row"] as? Int == $0.offset + 1 })
        #expect(rows.last?["user"] as? String == "u\(count)@x.com")
        #expect((root["summary"] as? [String: Int])?["invalid"] == count / 10)
    }

    @Test func misuseIsAnErrorNotACorruptFile() throws {
        let directory = try TemporaryDirectory()
        let writer = try JSONReportWriter(path: directory.path("report.json"))
        #expect(throws: ReportError.self) { try writer.write(ReportSamples.outcomes[0]) }
        try writer.begin(run: ReportSamples.run)
        try writer.finish(run: ReportSamples.run, summary: ReportSummary(), tenants: [])
        #expect(throws: ReportError.self) { try writer.write(ReportSamples.outcomes[0]) }
        #expect(throws: ReportError.self) {
            try writer.finish(run: ReportSamples.run, summary: ReportSummary(), tenants: [])
        }
    }

    @Test func missingDirectoryFailsAtCreation() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: ReportError.self) { _ = try JSONReportWriter(path: directory.path("no/such/dir/report.json")) }
    }
}
