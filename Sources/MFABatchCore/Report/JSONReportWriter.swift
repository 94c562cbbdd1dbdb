/// The JSON report, `report_version` 1, keys in the contract's order:
///
/// ```json
/// {
///   "report_version": 1,
///   "run": {"id": …, "job": …, "mode": …, "manifest": …, "manifest_sha256": …,
///           "started_at": …, "finished_at": …, "partial": …},   (one key a line)
///   "summary": {"rows": …, one count per status, "users_changed": …,
///               "tenants_committed": …, "tenants_rolled_back": …},
///   "tenants": [ {"account": …, "account_id": …, "outcome": …, "rows": …, "users_changed": …} ],
///   "rows": [ {"row": …, "line": …, …}, one row a line ]
/// }
/// ```
///
/// `summary` precedes `rows` but is known only at the end, so rows are encoded into
/// an unlinked spool file as they come and the report is assembled at `finish`: into
/// a temporary file renamed over the destination, or straight to standard output.
public final class JSONReportWriter: ReportWriter {
    private let output: ReportOutput
    private let spool: SpoolFile
    private var buffer = OutputBuffer()
    private var rowCount = 0
    private var state = WriterState.created
    private var sink: OutputSink?

    /// Creates the spool at once, so an unwritable destination directory fails
    /// before the run touches the database.
    public init(output: ReportOutput) throws {
        self.output = output
        self.spool = try SpoolFile(for: output) // also refuses a directory, now
    }

    public convenience init(path: String) throws {
        try self.init(output: ReportOutput(argument: path))
    }

    /// Encoded bytes held in memory right now (bounded by the flush threshold).
    var bufferedByteCount: Int { buffer.count }
    /// Encoded row bytes already moved to the spool file.
    var spooledByteCount: Int { spool.size }

    public func begin(run: RunInfo) throws {
        try state.begin()
    }

    public func write(_ row: RowOutcome) throws {
        try state.expectBegun("write")
        buffer.append(rowCount == 0 ? "    " : ",\n    ")
        buffer.appendJSONRow(row)
        rowCount += 1
        if buffer.isFull { try spool.append(&buffer) }
    }

    public func finish(run: RunInfo, summary: ReportSummary, tenants: [TenantOutcome]) throws {
        try state.expectBegun("finish")
        state = .finished
        defer { spool.close() }
        try spool.append(&buffer)
        let sink = try OutputSink(output)
        self.sink = sink
        buffer.append("{\n  \"report_version\": 1,\n")
        appendRun(run)
        appendSummary(summary)
        appendTenants(tenants)
        buffer.append("  \"rows\": [")
        if rowCount > 0 {
            buffer.append(byte: UInt8(ascii: "\n"))
            try sink.write(&buffer)
            try spool.copy(to: sink)
            buffer.append("\n  ")
        }
        buffer.append("]\n}\n")
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

    private func appendRun(_ run: RunInfo) {
        buffer.append("  \"run\": {\n    \"id\": ")
        buffer.appendJSONUUID(run.id)
        buffer.append(",\n    \"job\": ")
        buffer.appendJSONString(run.job)
        buffer.append(",\n    \"mode\": ")
        buffer.appendJSONString(run.mode.rawValue)
        buffer.append(",\n    \"manifest\": ")
        buffer.appendJSONString(run.manifest)
        buffer.append(",\n    \"manifest_sha256\": ")
        buffer.appendJSONString(run.manifestSHA256)
        buffer.append(",\n    \"started_at\": ")
        buffer.appendJSONTimestamp(run.startedAt)
        buffer.append(",\n    \"finished_at\": ")
        buffer.appendJSONTimestamp(run.finishedAt)
        buffer.append(",\n    \"partial\": ")
        buffer.appendJSONBool(run.partial)
        buffer.append("\n  },\n")
    }

    private func appendSummary(_ summary: ReportSummary) {
        buffer.append("  \"summary\": ")
        buffer.appendJSONSummary(summary)
        buffer.append(",\n")
    }

    private func appendTenants(_ tenants: [TenantOutcome]) {
        buffer.append("  \"tenants\": ")
        buffer.appendJSONTenants(tenants)
        buffer.append(",\n")
    }
}
