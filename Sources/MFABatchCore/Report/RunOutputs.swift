import Foundation

/// Everything a run writes about its rows, in one place: the `--report` files,
/// the `--rejects` manifest, the running summary, and the human summary on stdout.
/// Commands feed it outcomes in manifest order and call `finish` once.
public final class RunOutputs {
    private let reports: ReportFanout
    private let rejects: RejectsWriter?
    private let quiet: Bool
    public private(set) var summary = ReportSummary()

    /// - Parameters:
    ///   - reportArguments: the `--report` values (`-` is JSON on stdout).
    ///   - rejectsPath: `--rejects`, written in `format` with the CSV `columns`.
    public init(reportArguments: [String], rejectsPath: String?, format: ManifestFormat, columns: [String]?,
                quiet: Bool) throws {
        reports = try ReportFanout(arguments: reportArguments)
        rejects = try rejectsPath.map { try RejectsWriter(path: $0, format: format, columns: columns ?? []) }
        // A report or rejects manifest on stdout and the human summary would interleave.
        self.quiet = quiet || (reportArguments + (rejectsPath.map { [$0] } ?? [])).contains {
            ReportOutput(argument: $0).isStandardOutput
        }
    }

    public func begin(run: RunInfo) throws {
        try reports.begin(run: run)
    }

    /// One row's outcome; `raw` is needed only when rejects are written.
    public func write(_ outcome: RowOutcome, raw: RawRow?) throws {
        summary.add(outcome)
        try reports.write(outcome)
        if let rejects, let raw { try rejects.write(raw, outcome: outcome) }
    }

    public var wantsRawRows: Bool { rejects != nil }

    /// Whether anything reads successful rows one by one (a report file). Without
    /// one, a run may count them with `countSuccess` instead of building outcomes.
    public var wantsSuccessfulRows: Bool { !reports.isEmpty }

    /// Counts a successful row that no writer needs to see.
    public func countSuccess(_ status: RowStatus) {
        summary.addSuccess(status)
    }

    /// Completes every file and prints the summary (unless quiet).
    public func finish(run: RunInfo, tenants: [TenantOutcome]) throws {
        var summary = self.summary
        // Users, not row credits: a user changed by two rows counts once.
        if !tenants.isEmpty { summary.usersChanged = tenants.reduce(0) { $0 + $1.usersChanged } }
        for tenant in tenants {
            if tenant.outcome == .committed { summary.tenantsCommitted += 1 }
            if tenant.outcome == .rolledBack { summary.tenantsRolledBack += 1 }
        }
        self.summary = summary
        try reports.finish(run: run, summary: summary, tenants: tenants)
        try rejects?.finish()
        if !quiet {
            FileHandle.standardOutput.write(Data(SummaryPrinter().render(run: run, summary: summary).utf8))
        }
    }

    /// Abandons every file (a usage error before the run could finish).
    public func discard() {
        reports.discard()
        rejects?.discard()
    }
}
