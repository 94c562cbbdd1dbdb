import Foundation
import Testing
@testable import MFABatchCore

@Suite("ReportFanoutTests")
struct ReportFanoutTests {
    @Test func destinationsFollowTheOptionRules() {
        #expect(ReportDestination(argument: "-") == .json(.standardOutput))
        #expect(ReportDestination(argument: "out.csv") == .csv(.file("out.csv")))
        #expect(ReportDestination(argument: "OUT.CSV") == .csv(.file("OUT.CSV")))
        #expect(ReportDestination(argument: "out.json") == .json(.file("out.json")))
        #expect(ReportDestination(argument: "report") == .json(.file("report")))
        #expect(ReportDestination(argument: "out.csv.bak") == .json(.file("out.csv.bak")))
    }

    @Test func writesEveryDestination() throws {
        let directory = try TemporaryDirectory()
        let fanout = try ReportFanout(arguments: [directory.path("r.json"), directory.path("r.csv")])
        try fanout.begin(run: ReportSamples.run)
        for outcome in ReportSamples.outcomes { try fanout.write(outcome) }
        try fanout.finish(run: ReportSamples.run, summary: ReportSamples.summary, tenants: ReportSamples.tenants)
        try ReportAssertions.expectSameBytes(Data(contentsOf: directory.url.appendingPathComponent("r.json")), golden: "report.json")
        try ReportAssertions.expectSameBytes(Data(contentsOf: directory.url.appendingPathComponent("r.csv")), golden: "report.csv")
        #expect(try directory.entries() == ["r.csv", "r.json"])
    }

    @Test func theSameDestinationTwiceIsRefused() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: ReportError.duplicateDestination("-")) { _ = try ReportFanout(arguments: ["-", "-"]) }
        #expect(throws: ReportError.self) {
            _ = try ReportFanout(arguments: [directory.path("a.json"), directory.url.path + "/./a.json"])
        }
        #expect(try directory.entries() == [])
    }

    @Test func aBadSecondDestinationCleansUpTheFirst() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: ReportError.self) {
            _ = try ReportFanout(arguments: [directory.path("ok.csv"), directory.path("missing/r.json")])
        }
        #expect(try directory.entries() == [])
    }

    @Test func oneFailingWriterDoesNotCostTheOthers() throws {
        let directory = try TemporaryDirectory()
        let good = try CSVReportWriter(path: directory.path("good.csv"))
        let fanout = ReportFanout(writers: [FailingWriter(), good])
        try fanout.begin(run: ReportSamples.run)
        try fanout.write(ReportSamples.outcomes[0])
        #expect(throws: ReportError.io(operation: "write", path: "x", errno: 28)) {
            try fanout.finish(run: ReportSamples.run, summary: ReportSamples.summary, tenants: [])
        }
        #expect(try directory.text("good.csv").hasSuffix("\n1,2,acme,alice@acme.com,changed,200,,1,1,\"enforce, per \"\"policy\"\"\"\n"))
    }
}

/// A writer whose `finish` fails like a full disk.
private final class FailingWriter: ReportWriter {
    func begin(run: RunInfo) throws {}
    func write(_ row: RowOutcome) throws {}
    func finish(run: RunInfo, summary: ReportSummary, tenants: [TenantOutcome]) throws {
        throw ReportError.io(operation: "write", path: "x", errno: 28)
    }
    func discard() {}
}
