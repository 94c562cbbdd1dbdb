/// A report writer that also reads each row's manifest values (the `.html` report
/// counts the rows turning each setting on and off). `ReportFanout` hands it the
/// `RawRow` when the run has one; it must never write a credential field.
public protocol RawRowReportWriter: ReportWriter {
    /// Like `write(_:)`, with the row as the manifest spelled it (nil when the run
    /// has none, e.g. a report written again from the run history).
    func write(_ row: RowOutcome, raw: RawRow?) throws
}
