import Foundation

/// The markup of the `.html` report, section by section (`HTMLReportWriter` streams
/// it). Every figure carries a `data-*` attribute naming it (`data-summary="invalid"`,
/// `data-tenant="acme"` with `data-field="users_changed"`), so tests and scripts can
/// find them without reading the layout.
struct HTMLReportPage {
    let run: RunInfo
    let summary: ReportSummary
    let tenants: [TenantOutcome]
    let tallies: HTMLReportTallies
    let rowCount: Int
    let rowLimit: Int

    // MARK: Head and verdict

    func appendHead(to out: inout OutputBuffer) {
        out.append("""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8" />
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'" />
            <meta name="referrer" content="no-referrer" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>
            """)
        out.append("mfa-batch ")
        out.appendHTML(modeName)
        out.append(": ")
        out.appendHTML(run.manifest)
        out.append("</title>\n<style>\n")
        out.append(Self.style)
        out.append("</style>\n</head>\n<body>\n<main>\n<h1>mfa-batch <span class=\"mode\">")
        out.appendHTML(modeName)
        out.append("</span> ")
        out.appendHTML(run.manifest)
        out.append("</h1>\n")
        appendVerdict(to: &out)
    }

    private var modeName: String {
        switch run.mode {
        case .apply: return "apply"
        case .dryRun: return "dry run"
        case .plan: return "plan"
        case .validate: return "validate"
        }
    }

    private var failedRows: Int { summary.rows - RowStatus.allCases.filter(\.isSuccess).reduce(0) { $0 + summary.count($1) } }

    private func appendVerdict(to out: inout OutputBuffer) {
        out.append(failedRows == 0 ? "<p class=\"verdict ok\">" : "<p class=\"verdict bad\">")
        switch run.mode {
        case .dryRun, .plan:
            out.append("A preview: nothing was written to tenant tables. ")
            Self.appendCount(summary.count(.wouldChange), "row", to: &out)
            out.append(" would change ")
            Self.appendCount(summary.usersChanged, "user", to: &out)
        case .apply:
            Self.appendCount(summary.count(.changed), "row", to: &out)
            out.append(" changed ")
            Self.appendCount(summary.usersChanged, "user", to: &out)
            out.append("; ")
            Self.appendCount(summary.tenantsCommitted, "tenant", to: &out)
            out.append(" committed, ")
            out.appendGrouped(summary.tenantsRolledBack)
            out.append(" rolled back")
        case .validate:
            out.append("An offline check: no database was asked. ")
            Self.appendCount(summary.count(.valid), "row", to: &out)
            out.append(summary.count(.valid) == 1 ? " is valid" : " are valid")
        }
        out.append("; ")
        out.appendGrouped(failedRows)
        out.append(" of ")
        Self.appendCount(summary.rows, "row", to: &out)
        out.append(" did not succeed.</p>\n")
    }

    /// `1 row`, `2 rows`, `1,234 users`.
    static func appendCount(_ count: Int, _ noun: StaticString, to out: inout OutputBuffer) {
        out.appendGrouped(count)
        out.append(byte: UInt8(ascii: " "))
        out.append(noun)
        if count != 1 { out.append(byte: UInt8(ascii: "s")) }
    }

    // MARK: Sections

    func appendSections(to out: inout OutputBuffer) {
        appendRun(to: &out)
        appendSummary(to: &out)
        if run.mode != .validate { appendTenants(to: &out) }
        appendSettings(to: &out)
        appendFailures(to: &out)
    }

    private func appendRun(to out: inout OutputBuffer) {
        out.append("<section id=\"run\">\n<h2>Run</h2>\n<table class=\"kv\">\n")
        func pair(_ key: StaticString, _ label: StaticString, _ value: (inout OutputBuffer) -> Void) {
            out.append("<tr><th>")
            out.append(label)
            out.append("</th><td data-run=\"")
            out.append(key)
            out.append("\">")
            value(&out)
            out.append("</td></tr>\n")
        }
        pair("id", "run id") { $0.appendHTML(run.id?.uuidString.lowercased() ?? "—") }
        pair("job", "job") { $0.appendHTML(run.job ?? "—") }
        pair("mode", "mode") { $0.appendHTML(run.mode.rawValue) }
        pair("manifest", "manifest") { $0.appendHTML(run.manifest) }
        pair("manifest_sha256", "manifest SHA-256") { $0.appendHTML(run.manifestSHA256 ?? "—") }
        pair("started_at", "started") { $0.appendISO8601(run.startedAt) }
        pair("finished_at", "finished") { buffer in
            if let finished = run.finishedAt { buffer.appendISO8601(finished) } else { buffer.append("—") }
        }
        pair("elapsed", "elapsed") { buffer in
            buffer.appendHTML(run.finishedAt.map { SummaryPrinter.elapsed($0.timeIntervalSince(run.startedAt)) } ?? "—")
        }
        pair("partial", "--partial") { $0.append(run.partial ? "yes" : "no") }
        out.append("</table>\n</section>\n")
    }

    private func appendSummary(to out: inout OutputBuffer) {
        out.append("<section id=\"summary\">\n<h2>Summary</h2>\n<table class=\"kv\">\n")
        for status in RowStatus.allCases where summary.count(status) != 0 || status.isShownWhenZero(run.mode) {
            out.append("<tr><th><span class=\"status s-")
            out.append(text: status.rawValue)
            out.append("\">")
            out.append(text: status.rawValue)
            out.append("</span></th><td class=\"num\" data-summary=\"")
            out.append(text: status.rawValue)
            out.append("\">")
            out.appendGrouped(summary.count(status))
            out.append("</td></tr>\n")
        }
        var totals: [(StaticString, StaticString, Int)] = [("rows", "total rows", summary.rows),
                                                          ("users_changed", "users changed", summary.usersChanged)]
        if run.mode != .validate {
            totals += [("tenants_committed", "tenants committed", summary.tenantsCommitted),
                       ("tenants_rolled_back", "tenants rolled back", summary.tenantsRolledBack)]
        }
        for (key, label, value) in totals {
            out.append("<tr class=\"total\"><th>")
            out.append(label)
            out.append("</th><td class=\"num\" data-summary=\"")
            out.append(key)
            out.append("\">")
            out.appendGrouped(value)
            out.append("</td></tr>\n")
        }
        out.append("</table>\n</section>\n")
    }

    private func appendTenants(to out: inout OutputBuffer) {
        out.append("<section id=\"tenants\">\n<h2>Tenants</h2>\n")
        guard !tenants.isEmpty else {
            out.append("<p>No tenant was decided (no row had a valid credential for its account).</p>\n</section>\n")
            return
        }
        appendPerUserNote(to: &out)
        out.append("<table>\n<thead><tr><th>account</th><th>account id</th><th>outcome</th><th class=\"num\">rows</th><th class=\"num\">users changed</th>")
        for setting in tallies.settings {
            out.append("<th>")
            out.appendHTML(setting)
            out.append("</th>")
        }
        out.append("</tr></thead>\n<tbody>\n")
        for tenant in tenants {
            let id = tenant.accountID?.uuidString.lowercased()
            out.append("<tr data-tenant=\"")
            out.appendHTML(tenant.account)
            out.append("\"><td>")
            out.appendHTML(tenant.account)
            out.append("</td><td class=\"id\">")
            out.appendHTML(id ?? "—")
            out.append("</td><td data-field=\"outcome\"><span class=\"outcome o-")
            out.append(text: tenant.outcome.rawValue)
            out.append("\">")
            out.append(text: tenant.outcome.rawValue)
            out.append("</span></td><td class=\"num\" data-field=\"rows\">")
            out.appendGrouped(tenant.rows)
            out.append("</td><td class=\"num\" data-field=\"users_changed\">")
            out.appendGrouped(tenant.usersChanged)
            out.append("</td>")
            let counts = tallies.counts(account: tenant.account, accountID: id)
            for index in tallies.settings.indices {
                out.append("<td>")
                appendOnOff(counts?[index], to: &out)
                out.append("</td>")
            }
            out.append("</tr>\n")
        }
        out.append("</tbody>\n</table>\n")
        if tallies.accountsCutOff {
            out.append("<p class=\"note\">The per-setting columns cover the first ")
            out.appendGrouped(HTMLReportTallies.accountLimit)
            out.append(" accounts of the manifest.</p>\n")
        }
        out.append("</section>\n")
    }

    private func appendPerUserNote(to out: inout OutputBuffer) {
        if tallies.sawValues {
            out.append("<p class=\"note\">Per setting: the rows that turn it on (+) and off (−), and the users those rows changed")
            out.append(run.mode == .apply ? "" : " (would change)")
            out.append(". The report does not list users one by one; a row that sets two settings counts its users under both.")
            if run.mode == .apply { out.append(" Each user's before and after is in the audit trail (mfa_audit).") }
            out.append("</p>\n")
        } else {
            out.append("<p class=\"note\">This report was written again from the run history, which does not keep the manifest's values: the rows per setting are not shown.</p>\n")
        }
    }

    /// `+3 rows → 40 users · −1 row → 1 user`, or an em dash.
    private func appendOnOff(_ counts: HTMLReportTallies.SettingCounts?, to out: inout OutputBuffer) {
        guard let counts, !counts.isEmpty else { return out.append("—") }
        func part(_ sign: StaticString, _ rows: Int, _ users: Int) {
            out.append("<span class=\"onoff\">")
            out.append(sign)
            out.appendGrouped(rows)
            out.append(rows == 1 ? " row → " : " rows → ")
            out.appendGrouped(users)
            out.append(users == 1 ? " user</span>" : " users</span>")
        }
        if counts.onRows > 0 { part("+", counts.onRows, counts.onUsers) }
        if counts.onRows > 0 && counts.offRows > 0 { out.append(" ") }
        if counts.offRows > 0 { part("−", counts.offRows, counts.offUsers) }
    }

    private func appendSettings(to out: inout OutputBuffer) {
        guard tallies.sawValues else { return }
        out.append("<section id=\"settings\">\n<h2>Settings</h2>\n<table>\n<thead><tr><th>setting</th><th class=\"num\">rows turning it on</th><th class=\"num\">users changed by them</th><th class=\"num\">rows turning it off</th><th class=\"num\">users changed by them</th></tr></thead>\n<tbody>\n")
        for (index, setting) in tallies.settings.enumerated() {
            let counts = tallies.total[index]
            out.append("<tr data-setting=\"")
            out.appendHTML(setting)
            out.append("\"><td>")
            out.appendHTML(setting)
            out.append("</td>")
            for value in [counts.onRows, counts.onUsers, counts.offRows, counts.offUsers] { out.appendHTMLNumberCell(value) }
            out.append("</tr>\n")
        }
        out.append("</tbody>\n</table>\n</section>\n")
    }

    private func appendFailures(to out: inout OutputBuffer) {
        out.append("<section id=\"failures\">\n<h2>Failures by reason</h2>\n")
        let reasons = tallies.reasonOrder.sorted {
            let (a, b) = (tallies.failures[$0]!.count, tallies.failures[$1]!.count)
            return a != b ? a > b : $0 < $1
        }
        if reasons.isEmpty { out.append("<p>No row failed.</p>\n") }
        for reason in reasons {
            let failure = tallies.failures[reason]!
            out.append("<h3 data-reason=\"")
            out.appendHTML(reason)
            out.append("\"><span class=\"count\">")
            out.appendGrouped(failure.count)
            out.append("</span> × ")
            out.appendHTML(reason)
            out.append(" <span class=\"status s-")
            out.append(text: failure.status.rawValue)
            out.append("\">")
            out.append(text: failure.status.rawValue)
            out.append("</span></h3>\n<table class=\"examples\">\n")
            Self.appendRowsHeader(to: &out)
            out.append("<tbody>\n")
            for example in failure.examples { Self.appendRow(example, to: &out) }
            out.append("</tbody>\n</table>\n")
            if failure.count > failure.examples.count {
                out.append("<p class=\"note\">and ")
                out.appendGrouped(failure.count - failure.examples.count)
                out.append(" more</p>\n")
            }
        }
        if tallies.reasonsCutOff > 0 {
            out.append("<p class=\"note\">")
            out.appendGrouped(tallies.reasonsCutOff)
            out.append(" more failed rows have reasons beyond the first 200; the JSON or CSV report lists them.</p>\n")
        }
        out.append("</section>\n")
    }

    // MARK: Rows

    func appendRowsStart(to out: inout OutputBuffer) {
        out.append("<section id=\"rows\">\n<h2>Rows</h2>\n")
        if rowCount > rowLimit {
            out.append("<p class=\"note\">The first ")
            out.appendGrouped(rowLimit)
            out.append(" of ")
            out.appendGrouped(rowCount)
            out.append(" rows.</p>\n")
        }
        out.append("<table class=\"rows\">\n")
        Self.appendRowsHeader(to: &out)
        out.append("<tbody>\n")
    }

    func appendRowsEnd(to out: inout OutputBuffer) {
        out.append("</tbody>\n</table>\n")
        if rowCount > rowLimit {
            out.append("<p class=\"more\" data-rows-left-out=\"")
            out.append(rowCount - rowLimit)
            out.append("\">")
            out.appendGrouped(rowCount - rowLimit)
            out.append(" more rows are not shown here: the JSON or CSV report (--report PATH.json or .csv) has every row.</p>\n")
        }
        out.append("</section>\n<footer>Written by mfa-batch. Self-contained: no script, no external resource.</footer>\n</main>\n</body>\n</html>\n")
    }

    static func appendRowsHeader(to out: inout OutputBuffer) {
        out.append("<thead><tr><th class=\"num\">row</th><th class=\"num\">line</th><th>account</th><th>user</th><th>status</th><th class=\"num\">code</th><th>error</th><th class=\"num\">users matched</th><th class=\"num\">users changed</th><th>comment</th></tr></thead>\n")
    }

    /// One report row: exactly the report's row fields, escaped.
    static func appendRow(_ row: RowOutcome, to out: inout OutputBuffer) {
        out.append("<tr data-row=\"")
        out.append(row.row)
        out.append("\">")
        out.appendHTMLNumberCell(row.row)
        out.appendHTMLNumberCell(row.line)
        out.appendHTMLCell(row.account)
        out.appendHTMLCell(row.user)
        out.append("<td><span class=\"status s-")
        out.append(text: row.status.rawValue)
        out.append("\">")
        out.append(text: row.status.rawValue)
        out.append("</span></td>")
        out.appendHTMLNumberCell(row.status.code)
        out.appendHTMLCell(row.error, class: "error")
        out.appendHTMLNumberCell(row.usersMatched)
        out.appendHTMLNumberCell(row.usersChanged)
        out.appendHTMLCell(row.comment, class: "comment")
        out.append("</tr>\n")
    }

    // MARK: Style

    static let style: StaticString = """
        :root { color-scheme: light; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --muted: #59636e; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0; background: #f6f8fa; }
        main { max-width: 1200px; margin: 0 auto; padding: 24px; background: #fff; }
        h1 { font-size: 22px; margin: 0 0 8px; word-break: break-all; }
        h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #d1d9e0; padding-bottom: 4px; }
        h3 { font-size: 14px; margin: 16px 0 6px; }
        .mode { background: #ddf4ff; color: #0550ae; border-radius: 6px; padding: 1px 8px; font-size: 16px; }
        .verdict { padding: 10px 14px; border-radius: 6px; border: 1px solid; font-weight: 600; }
        .verdict.ok { background: #dafbe1; border-color: #aceebb; color: var(--ok); }
        .verdict.bad { background: #fff8c5; border-color: #eac54f; color: #7d4e00; }
        table { border-collapse: collapse; margin: 4px 0 8px; }
        th, td { border: 1px solid #d1d9e0; padding: 3px 8px; text-align: left; vertical-align: top; unicode-bidi: isolate; }
        thead th { background: #f6f8fa; }
        table.kv th { background: #f6f8fa; font-weight: 600; width: 190px; }
        tr.total th, tr.total td { font-weight: 600; }
        .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        .id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
        td.error { color: var(--bad); }
        td.comment { color: var(--muted); white-space: pre-wrap; }
        td { overflow-wrap: break-word; }
        td.comment, td.error { overflow-wrap: anywhere; }
        .status, .outcome { border-radius: 10px; padding: 0 7px; font-size: 12px; white-space: nowrap; border: 1px solid transparent; }
        .s-changed, .s-would_change, .s-valid, .o-committed { background: #dafbe1; color: var(--ok); }
        .s-unchanged, .o-dry_run { background: #eff2f5; color: var(--muted); }
        .s-invalid, .s-unauthorized, .s-error, .o-unknown { background: #ffebe9; color: var(--bad); }
        .s-not_applied, .s-stale, .o-rolled_back, .o-stale { background: #fff8c5; color: var(--warn); }
        .onoff { white-space: nowrap; margin-right: 6px; }
        .note, .more { color: var(--muted); }
        .more { font-weight: 600; }
        .count { font-variant-numeric: tabular-nums; }
        footer { margin-top: 32px; color: var(--muted); font-size: 12px; }

        """
}

extension RowStatus {
    /// The summary lists the statuses a run of `mode` can have, zero or not.
    func isShownWhenZero(_ mode: RunMode) -> Bool {
        switch self {
        case .changed: return mode == .apply
        case .wouldChange: return mode == .dryRun || mode == .plan
        case .valid: return mode == .validate
        case .unchanged, .notApplied, .error: return mode != .validate
        case .invalid: return true
        case .unauthorized: return mode != .validate
        case .stale: return false
        }
    }
}
