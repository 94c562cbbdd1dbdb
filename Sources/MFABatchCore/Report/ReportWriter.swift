/// One form of the run report (PRODUCT.md section 3), written as the run goes.
///
/// The run calls `begin(run:)` once, `write(_:)` once per manifest row *in manifest
/// order*, then `finish(run:summary:tenants:)` once (also after a database failure or
/// an interrupt: the report is still written). Implementations keep no rows in
/// memory, so a manifest of millions of rows costs the same memory as one of ten.
/// If the run is abandoned before `finish` (a usage error), `discard()` removes
/// whatever was started and leaves any existing file at the destination untouched.
///
/// Writers are not `Sendable`: one task owns a writer. A run applying tenants in
/// parallel funnels outcomes back to that task, which writes them in manifest order.
///
/// ```swift
/// let report = try ReportFanout(arguments: ["out.json", "out.csv"])
/// try report.begin(run: run)
/// for outcome in outcomes { try report.write(outcome) }
/// try report.finish(run: finishedRun, summary: summary, tenants: tenants)
/// ```
public protocol ReportWriter: AnyObject {
    func begin(run: RunInfo) throws
    func write(_ row: RowOutcome) throws
    func finish(run: RunInfo, summary: ReportSummary, tenants: [TenantOutcome]) throws
    func discard()
}
