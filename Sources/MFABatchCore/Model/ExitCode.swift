/// The exit codes of PRODUCT.md section 3, decided in one place.
public enum ExitCode: Int32, Sendable {
    /// Every row changed / unchanged (or would).
    case success = 0
    /// The run finished and some row has another status.
    case rowsFailed = 1
    /// Usage error or unusable manifest; nothing applied.
    case usage = 2
    /// Database unreachable, not migrated, or failed mid-run.
    case database = 3
    /// The `--job` is already running.
    case jobRunning = 4
    case interruptedByINT = 130
    case interruptedByTERM = 143

    /// For a run that finished: 0 when every row succeeded, else 1.
    public static func forFinishedRun(_ summary: ReportSummary) -> ExitCode {
        summary.allSucceeded ? .success : .rowsFailed
    }
}
