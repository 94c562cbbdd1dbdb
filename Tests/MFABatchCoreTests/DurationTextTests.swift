import MFABatchCore
import Testing

@Suite struct DurationTextTests {
    @Test(arguments: [("90s", 90), ("30m", 1_800), ("12h", 43_200), ("90d", 7_776_000)])
    func validDurations(text: String, seconds: Int) {
        #expect(DurationText.seconds(text) == seconds)
    }

    @Test(arguments: ["", "d", "0d", "-1d", "1.5h", "10", "10w", " 1d", "1d ", "99999999999999999999d"])
    func invalidDurations(text: String) {
        #expect(DurationText.seconds(text) == nil)
    }
}

@Suite struct ReportSummaryTests {
    @Test func statusIndexesFollowAllCases() {
        for (offset, status) in RowStatus.allCases.enumerated() {
            var summary = ReportSummary()
            summary.addSuccess(status)
            #expect(summary.count(status) == 1)
            #expect(summary.counts == [status: 1])
            #expect(RowStatus.allCases.filter { summary.count($0) == 1 }.count == 1, "offset \(offset)")
        }
    }
}
