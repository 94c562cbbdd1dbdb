import Foundation
import Postgres
import Synchronization

/// Keeps an eye on the run's lock connection (`RunLock`) from any worker thread. If
/// that connection dies (`pg_terminate_backend`, `idle_in_transaction_session_timeout`)
/// the run's locks are gone: another run of the same `--job` could start, and
/// `runs` would show this one as `died`. The run then stops cleanly before its next
/// tenant (exit 3, report written) rather than go on unprotected.
///
/// A check is one `SELECT 1` on the lock connection before each tenant (about 0.1 ms
/// on a local socket: 0.1 s for 1,000 tenants); `interval` can space them out.
final class LockWatch: Sendable {
    private struct State {
        var lock: RunLock?
        var lastCheck: ContinuousClock.Instant?
        var lost: PostgresError?
    }
    private let state: Mutex<State>
    private let interval: Duration

    init(_ lock: sending RunLock, interval: Duration = .zero) {
        state = Mutex(State(lock: lock))
        self.interval = interval
    }

    /// nil while the locks are held; the error once the lock connection is gone.
    func check() -> PostgresError? {
        state.withLock { state in
            if let lost = state.lost { return lost }
            let now = ContinuousClock.now
            if let last = state.lastCheck, now - last < interval { return nil }
            state.lastCheck = now
            do {
                try state.lock?.check()
                return nil
            } catch {
                let message = "the run's lock connection was lost (\((error as? PostgresError)?.message ?? "\(error)")); its locks no longer hold, so the run stops"
                state.lost = PostgresError(kind: .connectionLost, message: message)
                return state.lost
            }
        }
    }

    /// Releases the locks (ends the lock connection's transaction and the connection).
    func release() {
        state.withLock { state in
            state.lock?.release()
            state.lock = nil
        }
    }
}
