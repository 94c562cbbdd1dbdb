import Foundation
import Testing
import TestSupport
@testable import MFABatchCore

@Suite struct HTMLReportWriterTests {
    /// The sample run written as JSON and as HTML (with raw rows for the settings).
    private func writeBoth(_ directory: TemporaryDirectory, outcomes: [RowOutcome] = ReportSamples.outcomes,
                           raws: [RawRow] = ReportSamples.csvRawRows, rowLimit: Int = HTMLReportWriter.rowLimit)
        throws -> (json: [String: Any], html: HTMLPage, text: String) {
        let fanout = ReportFanout(writers: [
            try JSONReportWriter(path: directory.path("report.json")),
            try HTMLReportWriter(output: .file(directory.path("report.html")), settings: ["totp_enabled", "passkey_enabled"],
                                 rowLimit: rowLimit),
        ])
        #expect(fanout.wantsRawRows)
        var summary = ReportSummary()
        try fanout.begin(run: ReportSamples.run)
        for outcome in outcomes {
            summary.add(outcome)
            try fanout.write(outcome, raw: raws.first { $0.row == outcome.row })
        }
        summary.tenantsCommitted = 1
        summary.tenantsRolledBack = 2
        try fanout.finish(run: ReportSamples.run, summary: summary, tenants: ReportSamples.tenants)
        let json = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.url.appendingPathComponent("report.json"))) as? [String: Any])
        let data = try Data(contentsOf: directory.url.appendingPathComponent("report.html"))
        return (json, try HTMLPage(data), String(decoding: data, as: UTF8.self))
    }

    @Test func thePageShowsTheFiguresOfTheJSONReport() throws {
        let directory = try TemporaryDirectory()
        let (json, page, _) = try writeBoth(directory)
        let summary = try #require(json["summary"] as? [String: Int])
        for (key, value) in summary where value != 0 || ["rows", "users_changed"].contains(key) {
            #expect(page.number("data-summary", key) == value, "summary \(key)")
        }
        let run = try #require(json["run"] as? [String: Any])
        for key in ["id", "job", "mode", "manifest", "manifest_sha256", "started_at", "finished_at"] {
            #expect(page.first("data-run", key)?.text == run[key] as? String, "run \(key)")
        }
        for tenant in try #require(json["tenants"] as? [[String: Any]]) {
            let account = try #require(tenant["account"] as? String)
            let row = try #require(page.first("data-tenant", account))
            let index = try #require(page.elements.firstIndex { $0.attributes["data-tenant"] == account })
            let cells = page.elements[index...].prefix(12)
            #expect(row.text.contains(tenant["outcome"] as? String ?? "?"))
            #expect(cells.first { $0.attributes["data-field"] == "rows" }?.text == String(tenant["rows"] as? Int ?? -1))
            #expect(cells.first { $0.attributes["data-field"] == "users_changed" }?.text
                == String(tenant["users_changed"] as? Int ?? -1))
        }
        let rows = try #require(json["rows"] as? [[String: Any]])
        let rowsSection = try #require(page.elements.firstIndex { $0.attributes["id"] == "rows" })
        #expect(page.elements[rowsSection...].filter { $0.attributes["data-row"] != nil }.count == rows.count)
        for row in rows {
            let number = try #require(row["row"] as? Int)
            let shown = page.all("data-row", String(number)).last
            #expect(shown?.text.contains(row["status"] as? String ?? "?") == true, "row \(number)")
        }
        // Failures grouped by reason, most frequent first, with example rows.
        #expect(page.all("data-reason").map { $0.attributes["data-reason"]! }
            == ["credential not valid", "database error", "missing field", "not_applied", "user not found"])
    }

    @Test func perSettingFiguresComeFromTheRowsValues() throws {
        let directory = try TemporaryDirectory()
        let (_, page, text) = try writeBoth(directory)
        // totp_enabled: on in rows 1 (1 user changed), 3, 5, 7; off in row 4; row 6 says "yes".
        let totp = try #require(page.elements.firstIndex { $0.attributes["data-setting"] == "totp_enabled" })
        let cells = page.elements[(totp + 1)...].filter { $0.name == "td" }.prefix(5).map(\.text)
        #expect(cells == ["totp_enabled", "4", "1", "1", "0"])
        #expect(text.contains("+2 rows → 1 user"), "acme: rows 1 and 3 turn TOTP on, one user changed")
        #expect(text.contains("does not list users one by one"))
    }

    @Test func everyManifestValueIsEscaped() throws {
        let directory = try TemporaryDirectory()
        let hostile = RowOutcome(row: 1, line: 2, account: "acme\"><b>", user: "<img src=x onerror=alert(1)>",
                                 status: .invalid, error: "user not found", comment: "<script>alert('x')</script> & \u{1B}[31m",
                                 reason: "user not found")
        let (_, page, text) = try writeBoth(directory, outcomes: [hostile], raws: [])
        #expect(page.elements.allSatisfy { !["script", "img", "b"].contains($0.name) })
        #expect(!text.contains("<script") && !text.contains("<img") && !text.contains("\u{1B}"))
        #expect(text.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; \u{FFFD}[31m"))
        let row = try #require(page.elements.first { $0.attributes["class"] == "comment" })
        #expect(row.text == "<script>alert('x')</script> & \u{FFFD}[31m")
        #expect(text.contains("Content-Security-Policy\" content=\"default-src 'none'"))
    }

    @Test func onlyTheFirstRowsAreShownAndTheRestCounted() throws {
        let directory = try TemporaryDirectory()
        let (json, page, _) = try writeBoth(directory, rowLimit: 3)
        // Examples of failures also carry data-row; the rows table holds exactly 3.
        let rowsSection = try #require(page.elements.firstIndex { $0.attributes["id"] == "rows" })
        #expect(page.elements[rowsSection...].filter { $0.name == "tr" && $0.attributes["data-row"] != nil }
            .map { $0.attributes["data-row"] } == ["1", "2", "3"])
        #expect(page.first("data-rows-left-out")?.attributes["data-rows-left-out"] == "4")
        #expect(page.number("data-summary", "rows") == (json["rows"] as? [Any])?.count)
    }

    @Test func createdMode0600WithNoTemporaryLeftAndWithoutRawRowsSaysSo() throws {
        let directory = try TemporaryDirectory()
        let writer = try HTMLReportWriter(output: .file(directory.path("r.html")))
        try writer.begin(run: ReportSamples.run)
        for outcome in ReportSamples.outcomes { try writer.write(outcome) }
        try writer.finish(run: ReportSamples.run, summary: ReportSamples.summary, tenants: ReportSamples.tenants)
        #expect(try directory.entries() == ["r.html"])
        let mode = try FileManager.default.attributesOfItem(atPath: directory.path("r.html"))[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        let text = try directory.text("r.html")
        #expect(text.contains("does not keep the manifest"))
        _ = try HTMLPage(Data(text.utf8))

        let abandoned = try HTMLReportWriter(output: .file(directory.path("gone.html")))
        try abandoned.begin(run: ReportSamples.run)
        abandoned.discard()
        #expect(try directory.entries() == ["r.html"])
        #expect(ReportDestination(argument: "x.HTML") == .html(.file("x.HTML")))
        #expect(ReportDestination(argument: "x.htm") == .html(.file("x.htm")))
    }
}
