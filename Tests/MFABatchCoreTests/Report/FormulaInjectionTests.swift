import Foundation
import Testing
@testable import MFABatchCore

/// Issue 12, item 8: a CSV cell a spreadsheet would run as a formula starts with `'`,
/// except real values the rejects manifest must give back exactly.
@Suite struct FormulaInjectionTests {
    static let payloads = ["=HYPERLINK(\"http://evil.test\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
                           "\t=1", "\r=1"]

    @Test func reportCellsThatStartAFormulaAreQuoted() throws {
        let directory = try TemporaryDirectory()
        let writer = try CSVReportWriter(path: directory.path("r.csv"))
        try writer.begin(run: ReportSamples.run)
        for (index, payload) in Self.payloads.enumerated() {
            try writer.write(RowOutcome(row: index + 1, line: index + 2, account: payload, user: payload, status: .invalid,
                                        error: "x", comment: payload))
        }
        try writer.finish(run: ReportSamples.run, summary: ReportSummary(), tenants: [])
        let lines = try directory.text("r.csv").split(separator: "\n", omittingEmptySubsequences: false)
        for (index, payload) in Self.payloads.enumerated() {
            let cell = CSVEncoding.field("'" + payload)
            #expect(String(lines[index + 1]) == "\(index + 1),\(index + 2),\(cell),\(cell),invalid,400,x,,,\(cell)")
        }
    }

    @Test func rejectsQuoteFormulasButGiveRealValuesBack() throws {
        let directory = try TemporaryDirectory()
        let writer = try RejectsWriter(path: directory.path("r.csv"), format: .csv,
                                       columns: ["account", "user", "totp_enabled", "comment"])
        func row(_ n: Int, _ account: String, _ user: String, _ setting: String, _ comment: String) -> RawRow {
            RawRow(row: n, line: n + 1, fields: [
                RawField(name: "account", value: .string(account)), RawField(name: "user", value: .string(user)),
                RawField(name: "totp_enabled", value: .string(setting)), RawField(name: "comment", value: .string(comment)),
            ])
        }
        try writer.write(row(1, "acme", "-bob@acme.test", "true", "=HYPERLINK(1)"), reason: "user not found")
        try writer.write(row(2, "=cmd|' /C calc'!A0", "+tag@acme.test", "TRUE", "x"), reason: "malformed account")
        try writer.write(row(3, "acme", "@SUM(A1)", "=1", "x"), reason: "=reason")
        try writer.finish()
        let text = try directory.text("r.csv")
        #expect(text == """
            account,user,totp_enabled,comment
            acme,-bob@acme.test,true,user not found
            '=cmd|' /C calc'!A0,+tag@acme.test,TRUE,malformed account
            acme,'@SUM(A1),'=1,'=reason

            """)
    }
}
