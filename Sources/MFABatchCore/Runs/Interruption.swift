import Synchronization

/// A request to stop a run, from SIGINT or SIGTERM. The run checks it between
/// tenants: the tenant in progress commits or rolls back, no new tenant starts,
/// and the report is still written (the rest `not_applied`).
public final class Interruption: Sendable {
    private let signalNumber = Atomic<Int32>(0)

    public init() {}

    /// Records the first signal received (later ones do not overwrite it).
    public func request(signal: Int32) {
        _ = signalNumber.compareExchange(expected: 0, desired: signal, ordering: .sequentiallyConsistent)
    }

    /// The signal that asked the run to stop, or nil.
    public var requested: Int32? {
        let value = signalNumber.load(ordering: .sequentiallyConsistent)
        return value == 0 ? nil : value
    }
}
