import Foundation

/// The human summary printed at the end of a run unless `--quiet`, after pgloader's
/// end-of-run table: what happened to the rows, what changed, how long it took, and
/// the few reasons that explain most failures. For example:
///
/// ```text
/// mfa-batch apply: jobs/enforce-totp.csv (run 4f0c…, job nightly-totp)
///
///   status                rows
///   -------------------  -----
///   changed                 12
///   invalid                  3
///   -------------------  -----
///   total rows              15
///   users changed           40
///   tenants committed        2
///   tenants rolled back      1
///   elapsed             1.250s
///
/// top failure reasons
///   2 × user not found
///   1 × conflicting rows
/// ```
///
/// Only non-zero statuses are listed; tenant lines are left out for `validate`, which
/// touches no tenant. It renders to a `String` (or any `TextOutputStream`) so tests
/// compare text, and the caller decides where it goes.
public struct SummaryPrinter: Sendable {
    /// How many failure reasons are listed before "… and N more".
    public var topReasons: Int

    public init(topReasons: Int = 5) {
        self.topReasons = topReasons
    }

    public func render(run: RunInfo, summary: ReportSummary) -> String {
        var text = ""
        print(run: run, summary: summary, to: &text)
        return text
    }

    public func print<Target: TextOutputStream>(run: RunInfo, summary: ReportSummary, to target: inout Target) {
        target.write(title(run) + "\n\n")
        var statusLines: [(String, String)] = []
        for status in RowStatus.allCases where summary.count(status) != 0 {
            statusLines.append((status.rawValue, String(summary.count(status))))
        }
        var totalLines = [("total rows", String(summary.rows)), ("users changed", String(summary.usersChanged))]
        if run.mode != .validate {
            totalLines.append(("tenants committed", String(summary.tenantsCommitted)))
            totalLines.append(("tenants rolled back", String(summary.tenantsRolledBack)))
        }
        if let finished = run.finishedAt {
            totalLines.append(("elapsed", Self.elapsed(finished.timeIntervalSince(run.startedAt))))
        }
        let all = [("status", "rows")] + statusLines + totalLines
        let labelWidth = all.map(\.0.count).max() ?? 0
        let valueWidth = all.map(\.1.count).max() ?? 0
        func line(_ label: String, _ value: String) -> String {
            "  " + label + String(repeating: " ", count: labelWidth - label.count) + "  "
                + String(repeating: " ", count: valueWidth - value.count) + value + "\n"
        }
        let rule = "  " + String(repeating: "-", count: labelWidth) + "  " + String(repeating: "-", count: valueWidth) + "\n"
        target.write(line("status", "rows") + rule)
        for (label, value) in statusLines { target.write(line(label, value)) }
        target.write(rule)
        for (label, value) in totalLines { target.write(line(label, value)) }
        printReasons(summary.failureReasons, to: &target)
    }

    private func printReasons<Target: TextOutputStream>(_ reasons: [String: Int], to target: inout Target) {
        guard !reasons.isEmpty else { return }
        let sorted = reasons.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        let shown = sorted.prefix(max(topReasons, 0))
        let width = shown.map { String($0.value).count }.max() ?? 0
        target.write("\ntop failure reasons\n")
        for (reason, count) in shown {
            let number = String(count)
            target.write("  " + String(repeating: " ", count: width - number.count) + number + " × " + Self.printable(reason) + "\n")
        }
        let rest = sorted.dropFirst(shown.count)
        if !rest.isEmpty {
            let rows = rest.reduce(0) { $0 + $1.value }
            target.write("  … and \(rest.count) more \(rest.count == 1 ? "reason" : "reasons") (\(rows) \(rows == 1 ? "row" : "rows"))\n")
        }
    }

    private func title(_ run: RunInfo) -> String {
        var details: [String] = []
        if let id = run.id { details.append("run " + id.uuidString.lowercased()) }
        if let job = run.job { details.append("job " + Self.printable(job)) }
        let suffix = details.isEmpty ? "" : " (" + details.joined(separator: ", ") + ")"
        return "mfa-batch \(run.mode.rawValue): \(Self.printable(run.manifest))\(suffix)"
    }

    /// `1.250s`, `2m 03.456s`, `1h 02m 03s`: milliseconds matter for short runs only.
    static func elapsed(_ seconds: TimeInterval) -> String {
        let millis = max(0, Int((seconds * 1000).rounded()))
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        if millis < 60_000 { return "\(millis / 1000).\(pad(millis % 1000, 3))s" }
        if millis < 3_600_000 { return "\(millis / 60_000)m \(pad(millis / 1000 % 60, 2)).\(pad(millis % 1000, 3))s" }
        let wholeSeconds = millis / 1000
        return "\(wholeSeconds / 3600)h \(pad(wholeSeconds / 60 % 60, 2))m \(pad(wholeSeconds % 60, 2))s"
    }

    /// Control characters would break the table (or drive the terminal); show them as `?`.
    private static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map {
            $0.properties.generalCategory == .control ? "?" : $0
        }))
    }
}
