import Foundation

/// `--report PATH.html`: one self-contained page for a human reviewer — the run,
/// the summary, per tenant what changes, the failures grouped by reason with
/// example rows, and the first `rowLimit` rows (the page says how many more the
/// JSON or CSV report holds).
///
/// Self-contained: inline CSS, no script, no external asset (a Content-Security-
/// Policy of `default-src 'none'` says so to the browser too), so it can be mailed
/// or attached to a change ticket and opened offline. Every value from the manifest
/// is escaped (`OutputBuffer.appendHTML`). It is also well-formed XML, so tests read
/// it with `XMLParser`; figures carry `data-*` attributes naming what they are.
///
/// Streaming like the JSON report: the summary comes first but is known only at the
/// end, so the shown rows are encoded into an unlinked spool file as they come and
/// the page is assembled at `finish` into a temporary file (mode 0600) renamed over
/// PATH. Memory holds only the tallies (`HTMLReportTallies`), never the rows.
public final class HTMLReportWriter: RawRowReportWriter {
    /// Rows shown on the page; the rest are counted.
    public static let rowLimit = 5_000

    private let output: ReportOutput
    private let spool: SpoolFile
    private let rowLimit: Int
    private var buffer = OutputBuffer()
    private var tallies: HTMLReportTallies
    private var rowCount = 0
    private var state = WriterState.created
    private var sink: OutputSink?

    /// - Parameter settings: the settable fields (the spec's), counted per tenant.
    public init(output: ReportOutput, settings: [String] = SettingsSchema.bundled.settings,
                rowLimit: Int = HTMLReportWriter.rowLimit) throws {
        self.output = output
        self.rowLimit = rowLimit
        tallies = HTMLReportTallies(settings: settings)
        spool = try SpoolFile(for: output)
    }

    public func begin(run: RunInfo) throws {
        try state.begin()
    }

    public func write(_ row: RowOutcome) throws {
        try write(row, raw: nil)
    }

    public func write(_ row: RowOutcome, raw: RawRow?) throws {
        try state.expectBegun("write")
        tallies.add(row, raw: raw)
        rowCount += 1
        guard rowCount <= rowLimit else { return }
        HTMLReportPage.appendRow(row, to: &buffer)
        if buffer.isFull { try spool.append(&buffer) }
    }

    public func finish(run: RunInfo, summary: ReportSummary, tenants: [TenantOutcome]) throws {
        try state.expectBegun("finish")
        state = .finished
        defer { spool.close() }
        try spool.append(&buffer)
        let sink = try OutputSink(output)
        self.sink = sink
        let page = HTMLReportPage(run: run, summary: summary, tenants: tenants, tallies: tallies, rowCount: rowCount,
                                  rowLimit: rowLimit)
        page.appendHead(to: &buffer)
        page.appendSections(to: &buffer)
        page.appendRowsStart(to: &buffer)
        try sink.write(&buffer)
        try spool.copy(to: sink)
        page.appendRowsEnd(to: &buffer)
        try sink.write(&buffer)
        try sink.commit()
        self.sink = nil
    }

    public func discard() {
        state = .finished
        spool.close()
        sink?.discard()
        sink = nil
    }
}
