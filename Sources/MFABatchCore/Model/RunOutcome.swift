/// How a run ended, as `job_runs.outcome` records it (a `CHECK` constraint of
/// migration 0009 allows exactly these spellings; a test keeps them in step).
public enum RunOutcome: String, Sendable, CaseIterable {
    case running
    case succeeded
    case rowsFailed = "rows_failed"
    case interrupted
    case databaseError = "database_error"
    /// The manifest proved unusable mid-stream.
    case refused
    /// Tenants were decided but the report could not be written.
    case reportFailed = "report_failed"
    /// The process is gone (found by `RunLock.markDeadRuns`).
    case died
}
