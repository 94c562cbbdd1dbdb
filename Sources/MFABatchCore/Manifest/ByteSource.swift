#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Module-agnostic names for the two system calls (the class has its own `close`).
private func posixClose(_ fd: Int32) { _ = close(fd) }
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int { read(fd, buffer, count) }

/// Where a reader's bytes come from: a file descriptor (a file or stdin) read in
/// chunks, a run's private copy of its manifest (`ManifestSnapshot`, read from the
/// first byte by each reader), or bytes in memory (tests, which can also force tiny
/// chunks to exercise rows that straddle chunk boundaries).
final class ByteSource {
    private enum Backing {
        case descriptor(Int32, owned: Bool)
        case snapshot(ManifestSnapshot, offset: Int)
        case memory([UInt8], offset: Int)
    }

    private var backing: Backing
    /// At most this many bytes per `read` (tests use small values).
    let maxChunk: Int

    init(descriptor: Int32, owned: Bool, maxChunk: Int = ManifestLimits.chunkBytes) {
        backing = .descriptor(descriptor, owned: owned)
        self.maxChunk = maxChunk
    }

    init(snapshot: ManifestSnapshot, maxChunk: Int = ManifestLimits.chunkBytes) {
        backing = .snapshot(snapshot, offset: 0)
        self.maxChunk = maxChunk
    }

    init(bytes: [UInt8], maxChunk: Int = ManifestLimits.chunkBytes) {
        backing = .memory(bytes, offset: 0)
        self.maxChunk = max(1, maxChunk)
    }

    deinit { close() }

    /// Closes an owned descriptor; safe to call more than once.
    func close() {
        if case .descriptor(let fd, owned: true) = backing {
            posixClose(fd)
            backing = .descriptor(-1, owned: false)
        }
    }

    /// Reads up to `capacity` bytes into `buffer`; 0 means end of input.
    /// Throws the `errno` text of a failed read.
    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(ByteSourceError) -> Int {
        let wanted = min(capacity, maxChunk)
        switch backing {
        case .descriptor(let fd, _):
            while true {
                let n = posixRead(fd, buffer, wanted)
                if n >= 0 { return n }
                if errno == EINTR { continue }
                throw ByteSourceError(message: String(cString: strerror(errno)))
            }
        case .snapshot(let snapshot, let offset):
            let n = try snapshot.read(into: buffer, count: wanted, at: offset)
            backing = .snapshot(snapshot, offset: offset + n)
            return n
        case .memory(let bytes, let offset):
            let n = min(wanted, bytes.count - offset)
            if n > 0 {
                bytes.withUnsafeBufferPointer { source in
                    buffer.update(from: source.baseAddress! + offset, count: n)
                }
                backing = .memory(bytes, offset: offset + n)
            }
            return n
        }
    }
}

@available(*, unavailable)
extension ByteSource: Sendable {}

struct ByteSourceError: Error {
    var message: String
}
