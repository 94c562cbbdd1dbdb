import Foundation
import Postgres
import Synchronization

/// Runs the tenants of a run on N worker threads (`--parallel N`; one for a serial
/// run) that each own a connection and take the next tenant in order. Each tenant
/// is still one transaction; outcomes come back in tenant order (the report itself
/// is written in manifest order).
///
/// A stop — SIGINT/SIGTERM, or a lost connection — lets the tenants in progress
/// finish or roll back and starts no new one; tenants never started are reported
/// `rolled_back` (their rows become `not_applied`).
final class TenantScheduler: Sendable {
    let applier: TenantApplier
    let settings: ConnectionSettings
    let parallel: Int
    let progress: (@Sendable (RunProgress) -> Void)?
    /// Asked before each tenant starts; an error stops the run as a lost connection
    /// would (the run's lock connection is gone: its locks no longer protect it).
    let guardrail: (@Sendable () -> PostgresError?)?
    private let decided = Atomic<Int>(0)

    init(applier: TenantApplier, settings: ConnectionSettings, parallel: Int,
         progress: (@Sendable (RunProgress) -> Void)? = nil, guardrail: (@Sendable () -> PostgresError?)? = nil) {
        self.applier = applier
        self.settings = settings
        self.parallel = parallel
        self.progress = progress
        self.guardrail = guardrail
    }

    /// Reports a decided tenant (thread-safe: the count is atomic).
    private func report(_ outcome: TenantOutcome, of total: Int) {
        guard let progress else { return }
        let done = decided.add(1, ordering: .relaxed).newValue
        progress(.tenantDone(done: done, total: total, tenant: outcome))
    }

    struct Outcome {
        var tenants: [TenantOutcome]
        var lost: PostgresError?
        /// An error that is not the database's (a full disk for the outcome store, a
        /// bug): it stops the run like a lost connection, and is reported as itself.
        var unexpected: (any Error)?
    }

    /// Runs every tenant on connections of the scheduler's own, never on the run's
    /// main connection: a cancel sent for a signal can then never land on the run's
    /// bookkeeping statements that follow the last tenant.
    func run(_ tenants: [RunSpool.Bucket], interruption: Interruption) -> Outcome {
        guard !tenants.isEmpty else { return Outcome(tenants: [], lost: nil) }
        return runInParallel(tenants, interruption: interruption)
    }

    private func runInParallel(_ tenants: [RunSpool.Bucket], interruption: Interruption) -> Outcome {
        let state = Mutex(SharedState(results: Array(repeating: nil, count: tenants.count)))
        let group = DispatchGroup()
        for _ in 0..<max(1, min(parallel, tenants.count)) {
            group.enter()
            let worker = Thread { [self] in
                defer { group.leave() }
                let connection: Connection
                do {
                    connection = try Connection(settings: settings)
                } catch {
                    state.withLock { $0.lost = $0.lost ?? (error as? PostgresError) }
                    return
                }
                defer { connection.close() }
                while true {
                    if let failure = guardrail?() {
                        state.withLock { $0.lost = $0.lost ?? failure }
                        return
                    }
                    let index: Int? = state.withLock { shared in
                        guard shared.lost == nil, shared.unexpected == nil, interruption.requested == nil,
                              shared.next < tenants.count else { return nil }
                        defer { shared.next += 1 }
                        return shared.next
                    }
                    guard let index else { return }
                    do {
                        let outcome = try applier.apply(tenants[index], on: connection)
                        report(outcome, of: tenants.count)
                        state.withLock { $0.results[index] = outcome }
                    } catch {
                        let outcome = (error as? LocalRecordFailed)?.outcome ?? inFlight(tenants[index], error)
                        state.withLock {
                            if error is PostgresError || error is CommitInFlight {
                                $0.lost = $0.lost ?? Self.lostError(error)
                            } else {
                                $0.unexpected = $0.unexpected ?? error
                            }
                            $0.results[index] = outcome
                        }
                        return
                    }
                }
            }
            worker.start()
        }
        group.wait()
        return state.withLock { shared in
            Outcome(tenants: tenants.indices.map { shared.results[$0] ?? notStarted(tenants[$0]) }, lost: shared.lost,
                    unexpected: shared.unexpected)
        }
    }

    private struct SharedState: Sendable {
        var results: [TenantOutcome?]
        var next = 0
        var lost: PostgresError?
        var unexpected: (any Error)?
    }

    /// The tenant in progress when the connection broke: `unknown` when its COMMIT
    /// was on its way (the run asks the database again if it can), else rolled back.
    private func inFlight(_ tenant: RunSpool.Bucket, _ error: any Error) -> TenantOutcome {
        var outcome = notStarted(tenant)
        if error is CommitInFlight { outcome.outcome = .unknown }
        return outcome
    }

    private static func lostError(_ error: any Error) -> PostgresError {
        if let inFlight = error as? CommitInFlight { return inFlight.error }
        return error as? PostgresError ?? PostgresError(kind: .connectionLost, message: "\(error)")
    }

    private func notStarted(_ tenant: RunSpool.Bucket) -> TenantOutcome {
        TenantOutcome(account: tenant.slug ?? "", accountID: tenant.accountID, outcome: .rolledBack, rows: tenant.rows,
                      usersChanged: 0)
    }
}
