import Foundation
import Testing
@testable import MFABatchCore

/// When the database goes away while outcomes are being read back, the report is
/// finished from the manifest: the rows already reported stay as they were, every
/// later row is reported once, and a committed tenant is recognised however the
/// row names it (slug, or its id in any case).
@Suite struct FallbackReportTests {
    @Test func continuesAfterTheRowsAlreadyReported() throws {
        let directory = try TemporaryDirectory()
        let acme = UUID()
        let manifest = directory.path("m.csv")
        try Data("""
            account,user,totp_enabled
            acme,alice@acme.test,true
            \(acme.uuidString.uppercased()),bob@acme.test,true
            globex,carol@globex.test,true
            globex,not an email,true

            """.utf8).write(to: URL(fileURLWithPath: manifest))
        let input = try ManifestInput(path: manifest, format: nil)
        let outputs = try RunOutputs(reportArguments: [directory.path("r.json")], rejectsPath: nil, format: .csv,
                                     columns: nil, quiet: true)
        var run = RunInfo(id: UUID(), job: nil, mode: .apply, manifest: manifest, manifestSHA256: input.sha256,
                          startedAt: Date(), finishedAt: nil, partial: false)
        let tenants = [TenantOutcome(account: "acme", accountID: acme, outcome: .committed, rows: 2, usersChanged: 2),
                       TenantOutcome(account: "globex", accountID: UUID(), outcome: .rolledBack, rows: 2, usersChanged: 0)]
        // Row 1 came from the database before the connection broke.
        try outputs.begin(run: run)
        try outputs.write(RowOutcome(row: 1, line: 2, account: "acme", user: "alice@acme.test", status: .changed,
                                     usersMatched: 1, usersChanged: 1), raw: nil)

        try FallbackReport.write(input: input, schema: .bundled, run: &run, tenants: tenants, outputs: outputs,
                                 from: 2, begun: true)

        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory.path("r.json"))))
        let rows = try #require((report as? [String: Any])?["rows"] as? [[String: Any]])
        #expect(rows.map { $0["row"] as? Int } == [1, 2, 3, 4])
        #expect(rows.map { $0["status"] as? String } == ["changed", "error", "not_applied", "invalid"])
    }
}
