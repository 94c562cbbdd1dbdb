import Foundation
import Testing
@testable import MFABatchCore

@Suite("CSVReportWriterTests")
struct CSVReportWriterTests {
    @Test func matchesGoldenFile() throws {
        let directory = try TemporaryDirectory()
        let writer = try CSVReportWriter(path: directory.path("report.csv"))
        try writer.begin(run: ReportSamples.run)
        for outcome in ReportSamples.outcomes { try writer.write(outcome) }
        try writer.finish(run: ReportSamples.run, summary: ReportSamples.summary, tenants: ReportSamples.tenants)
        try ReportAssertions.expectSameBytes(Data(contentsOf: directory.url.appendingPathComponent("report.csv")),
                                             golden: "report.csv")
        #expect(try ReportAssertions.mode(directory.path("report.csv")) == 0o600)
        #expect(try directory.entries() == ["report.csv"])
    }

    @Test func emptyRunIsTheHeaderOnly() throws {
        let directory = try TemporaryDirectory()
        let writer = try CSVReportWriter(path: directory.path("r.csv"))
        try writer.begin(run: ReportSamples.run)
        try writer.finish(run: ReportSamples.run, summary: ReportSummary(), tenants: [])
        #expect(try directory.text("r.csv") == "row,line,account,user,status,code,error,users_matched,users_changed,comment\n")
    }

    @Test func fileAppearsOnlyAtFinishAndDiscardLeavesNothing() throws {
        let directory = try TemporaryDirectory()
        let writer = try CSVReportWriter(path: directory.path("r.csv"))
        try writer.begin(run: ReportSamples.run)
        try writer.write(ReportSamples.outcomes[0])
        #expect(!FileManager.default.fileExists(atPath: directory.path("r.csv")))
        writer.discard()
        #expect(try directory.entries() == [])
    }

    @Test func writesToADescriptor() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("out.csv")
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        try #require(fd >= 0)
        defer { close(fd) }
        let writer = try CSVReportWriter(output: .descriptor(fd))
        try writer.begin(run: ReportSamples.run)
        for outcome in ReportSamples.outcomes { try writer.write(outcome) }
        try writer.finish(run: ReportSamples.run, summary: ReportSamples.summary, tenants: [])
        try ReportAssertions.expectSameBytes(Data(contentsOf: URL(fileURLWithPath: path)), golden: "report.csv")
    }

    @Test(arguments: [
        ("plain", "plain"),
        ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("\"", "\"\"\"\""),
        ("two\nlines", "\"two\nlines\""),
        ("cr\rhere", "\"cr\rhere\""),
        (" lead", "\" lead\""),
        ("trail\t", "\"trail\t\""),
        ("in side", "in side"),
        ("ünï 🚀", "ünï 🚀"),
        ("", ""),
    ])
    func quotesOnlyWhenNeeded(field: String, expected: String) {
        var buffer = OutputBuffer()
        buffer.appendCSVField(field)
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == expected)
    }

    @Test func nullIsAnEmptyCell() {
        var buffer = OutputBuffer()
        buffer.appendCSVField(nil)
        buffer.appendCSVInt(nil)
        #expect(buffer.bytes.isEmpty)
    }
}
