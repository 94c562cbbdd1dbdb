/// What a run reports as it goes, for `--progress` (`ApplyRun.Options.progress`):
/// typed events, so that the command line decides how to show them (a line redrawn
/// on a terminal, a plain line now and then in a log).
public enum RunProgress: Sendable, Equatable {
    /// The manifest is staged: `rows` rows read, of which `tenantRows` belong to the
    /// `tenants` tenants about to be decided.
    case staged(rows: Int, tenants: Int, tenantRows: Int)
    /// One more tenant was decided (committed, rolled back, dry run or stale): the
    /// `done`-th of `total`. With `--parallel` these come from worker threads, in the
    /// order tenants finish.
    case tenantDone(done: Int, total: Int, tenant: TenantOutcome)
}
