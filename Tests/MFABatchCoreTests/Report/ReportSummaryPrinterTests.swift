import Foundation
import Testing
@testable import MFABatchCore

@Suite("ReportSummaryPrinterTests")
struct ReportSummaryPrinterTests {
    private var bigSummary: ReportSummary {
        var summary = ReportSummary()
        summary.rows = 1044
        summary.counts = [.changed: 950, .unchanged: 40, .invalid: 19, .unauthorized: 4, .notApplied: 30, .error: 1,
                          .stale: 0]
        summary.usersChanged = 1450
        summary.tenantsCommitted = 41
        summary.tenantsRolledBack = 2
        summary.failureReasons = ["user not found": 12, "conflicting rows": 4, "credential not valid": 4,
                                  "policy: would leave no factor": 2, "malformed email": 1, "not_applied": 30,
                                  "database error": 1]
        return summary
    }

    @Test func matchesGoldenFile() throws {
        let text = SummaryPrinter().render(run: ReportSamples.run, summary: bigSummary)
        try ReportAssertions.expectSameBytes(Data(text.utf8), golden: "summary.txt")
    }

    @Test func printsToAnyTextOutputStream() {
        var text = ""
        SummaryPrinter().print(run: ReportSamples.run, summary: bigSummary, to: &text)
        #expect(text == SummaryPrinter().render(run: ReportSamples.run, summary: bigSummary))
        #expect(!text.isEmpty)
    }

    @Test func validateRunHasNoTenantLinesAndNoFailureSection() {
        var summary = ReportSummary()
        summary.add(RowOutcome(row: 1, line: 2, account: "a", user: "u", status: .valid))
        let run = RunInfo(id: nil, job: nil, mode: .validate, manifest: "m.csv", manifestSHA256: nil,
                          startedAt: Date(timeIntervalSince1970: 0), finishedAt: nil, partial: false)
        let text = SummaryPrinter().render(run: run, summary: summary)
        let expected = "mfa-batch validate: m.csv\n\n"
            + "  status" + String(repeating: " ", count: 9) + "rows\n"
            + "  -------------  ----\n"
            + "  valid" + String(repeating: " ", count: 13) + "1\n"
            + "  -------------  ----\n"
            + "  total rows" + String(repeating: " ", count: 8) + "1\n"
            + "  users changed" + String(repeating: " ", count: 5) + "0\n"
        #expect(text == expected)
    }

    @Test func topReasonsAreLimited() {
        var summary = ReportSummary()
        summary.failureReasons = ["b": 2, "a": 2, "c": 5]
        let text = SummaryPrinter(topReasons: 1).render(run: ReportSamples.run, summary: summary)
        #expect(text.hasSuffix("top failure reasons\n  5 × c\n  … and 2 more reasons (4 rows)\n"))
        let two = SummaryPrinter(topReasons: 2).render(run: ReportSamples.run, summary: summary)
        #expect(two.hasSuffix("  5 × c\n  2 × a\n  … and 1 more reason (2 rows)\n"))
    }

    @Test func controlCharactersInReasonsAreNeutralized() {
        var summary = ReportSummary()
        summary.failureReasons = ["bad\n\u{1B}[31mred": 1]
        let text = SummaryPrinter().render(run: ReportSamples.run, summary: summary)
        #expect(text.hasSuffix("  1 × bad??[31mred\n"))
    }

    @Test(arguments: [
        (0.0, "0.000s"), (1.25, "1.250s"), (59.9994, "59.999s"), (59.9996, "1m 00.000s"),
        (74.884, "1m 14.884s"), (3600, "1h 00m 00s"), (3723.9, "1h 02m 03s"), (-2, "0.000s"),
    ])
    func elapsedTime(seconds: Double, expected: String) {
        #expect(SummaryPrinter.elapsed(seconds) == expected)
    }
}
