import Foundation

/// Everything a run writes about its rows, in one place: the `--report` files,
/// the `--rejects` manifest, the running summary, and the human summary on stdout.
/// Commands feed it outcomes in manifest order and call `finish` once.
public final class RunOutputs {
    private let reports: ReportFanout
    private let rejects: RejectsWriter?
    private let quiet: Bool
    public private(set) var summary = ReportSummary()
    /// Why the human summary could not be printed (stdout closed or full), if so:
    /// not a failure of the run, whose reports and record are complete; the
    /// command says it on stderr.
    public private(set) var summaryWriteError: ReportError?
    /// The first failure of the rejects writer; it then stops, and `finish` throws it
    /// after completing the reports.
    private var rejectsError: (any Error)?

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
        try reports.write(outcome, raw: raw)
        if let rejects, let raw, rejectsError == nil {
            do {
                try rejects.write(raw, outcome: outcome)
            } catch {
                rejectsError = error
                rejects.discard()
            }
        }
    }

    public var wantsRawRows: Bool { rejects != nil || reports.wantsRawRows }

    /// Whether anything reads successful rows one by one (a report file). Without
    /// one, a run may count them with `countSuccess` instead of building outcomes.
    public var wantsSuccessfulRows: Bool { !reports.isEmpty }

    /// Counts a successful row that no writer needs to see.
    public func countSuccess(_ status: RowStatus) {
        summary.addSuccess(status)
    }

    /// Completes every file and prints the summary (unless quiet). One output that
    /// failed (a full disk, `--report -` into a closed pipe) does not keep the others
    /// from completing; its error is thrown after them, and the summary is printed
    /// only when every output is complete.
    public func finish(run: RunInfo, tenants: [TenantOutcome]) throws {
        var summary = self.summary
        // Users, not row credits: a user changed by two rows counts once.
        if !tenants.isEmpty { summary.usersChanged = tenants.reduce(0) { $0 + $1.usersChanged } }
        for tenant in tenants {
            if tenant.outcome == .committed { summary.tenantsCommitted += 1 }
            if tenant.outcome == .rolledBack { summary.tenantsRolledBack += 1 }
        }
        self.summary = summary
        var firstError: (any Error)? = rejectsError
        do {
            try reports.finish(run: run, summary: summary, tenants: tenants)
        } catch {
            firstError = firstError ?? error
        }
        if rejectsError == nil {
            do {
                try rejects?.finish()
            } catch {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
        if !quiet {
            summaryWriteError = StandardStreams.write(SummaryPrinter().render(run: run, summary: summary), to: 1)
        }
    }

    /// Abandons every file (a usage error before the run could finish).
    public func discard() {
        reports.discard()
        rejects?.discard()
    }
}
