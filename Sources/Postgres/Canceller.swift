internal import CLibPQ
import Synchronization

/// Asks the server to cancel whatever a connection is running (`PQcancel`), from
/// any thread: libpq documents `PQcancel` as safe to call from another thread or a
/// signal handler, which is what this is for (SIGTERM while a tenant waits on a
/// lock). Owns its `PGcancel` and frees it once; the mutex keeps a cancel and the
/// free from overlapping.
public final class Canceller: Sendable {
    private let handle: Mutex<OpaquePointer?>

    init?(connection: OpaquePointer) {
        // A fresh object that nothing else references: handing it to the mutex is safe.
        nonisolated(unsafe) let cancel = PQgetCancel(connection)
        guard cancel != nil else { return nil }
        handle = Mutex(cancel)
    }

    deinit {
        handle.withLock { cancel in
            if let pointer = cancel { PQfreeCancel(pointer) }
            cancel = nil
        }
    }

    /// Sends the cancel request; the running statement then fails with SQLSTATE
    /// 57014 (query_canceled). Best effort: failures to reach the server are ignored.
    public func cancel() {
        handle.withLock { cancel in
            guard let pointer = cancel else { return }
            var message = [CChar](repeating: 0, count: 256)
            _ = PQcancel(pointer, &message, Int32(message.count))
        }
    }
}

extension Connection {
    /// A canceller for this connection's current and future statements.
    public func canceller() -> Canceller? {
        guard let handle = try? liveHandle() else { return nil }
        return Canceller(connection: handle)
    }
}
