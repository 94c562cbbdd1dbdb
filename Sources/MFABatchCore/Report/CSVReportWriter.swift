/// The CSV report: a header, then one line per manifest row with exactly the report's
/// row fields as columns (`row,line,account,user,status,code,error,users_matched,
/// users_changed,comment`). RFC 4180 quoting where a cell needs it; a null is an
/// empty cell. Lines end in LF, like the other Unix tools an operator pipes it to
/// (quoted cells may hold CR/LF; any RFC 4180 reader accepts either line ending).
///
/// Rows stream straight into the output (a temporary file renamed into place at
/// `finish`, or standard output); nothing waits for the summary.
public final class CSVReportWriter: ReportWriter {
    static let header: StaticString = "row,line,account,user,status,code,error,users_matched,users_changed,comment\n"

    private let sink: OutputSink
    private var buffer = OutputBuffer()
    private var state = WriterState.created

    /// Creates the (temporary) file at once, so an unwritable destination fails early.
    public init(output: ReportOutput) throws {
        sink = try OutputSink(output)
    }

    public convenience init(path: String) throws {
        try self.init(output: ReportOutput(argument: path))
    }

    public func begin(run: RunInfo) throws {
        try state.begin()
        buffer.append(Self.header)
    }

    public func write(_ row: RowOutcome) throws {
        try state.expectBegun("write")
        buffer.appendCSVRow(row)
        buffer.append(byte: UInt8(ascii: "\n"))
        if buffer.isFull { try sink.write(&buffer) }
    }

    public func finish(run: RunInfo, summary: ReportSummary, tenants: [TenantOutcome]) throws {
        try state.expectBegun("finish")
        state = .finished
        try sink.write(&buffer)
        try sink.commit()
    }

    public func discard() {
        state = .finished
        sink.discard()
    }
}
