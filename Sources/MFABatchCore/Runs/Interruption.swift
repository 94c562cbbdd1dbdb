import Postgres
import Synchronization

/// A request to stop a run, from SIGINT or SIGTERM. The run checks it between
/// tenants: no new tenant starts, and the report is still written (the rest
/// `not_applied`). A tenant in progress is cancelled on the server (its
/// transaction rolls back), so a run waiting behind another run's tenant lock
/// stops at once too.
public final class Interruption: Sendable {
    private let signalNumber = Atomic<Int32>(0)
    private let active = Mutex<[ObjectIdentifier: Canceller]>([:])

    public init() {}

    /// Records the first signal received (later ones do not overwrite it) and
    /// cancels the statements in progress.
    public func request(signal: Int32) {
        _ = signalNumber.compareExchange(expected: 0, desired: signal, ordering: .sequentiallyConsistent)
        let cancellers = active.withLock { Array($0.values) }
        for canceller in cancellers { canceller.cancel() }
    }

    /// The signal that asked the run to stop, or nil.
    public var requested: Int32? {
        let value = signalNumber.load(ordering: .sequentiallyConsistent)
        return value == 0 ? nil : value
    }

    /// Runs `body` with `canceller` registered, so that a stop request cancels it.
    func whileCancellable<T>(_ canceller: Canceller?, _ body: () throws -> T) rethrows -> T {
        guard let canceller else { return try body() }
        let key = ObjectIdentifier(canceller)
        active.withLock { $0[key] = canceller }
        defer { active.withLock { _ = $0.removeValue(forKey: key) } }
        if requested != nil { canceller.cancel() }
        return try body()
    }
}
