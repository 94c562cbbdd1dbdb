/// A sliding window over a `ByteSource`: `base[start..<end]` are the bytes read but
/// not yet consumed.
///
/// Readers parse a whole row from `start`; when the row runs past `end` they call
/// `fill()` and parse it again from the same `start`. Re-parsing only the row that
/// straddles a chunk boundary is simpler than a resumable state machine and costs
/// nothing measurable. Memory is bounded: the window grows only to hold one row, up
/// to `ManifestLimits.maxRowBytes` plus a chunk.
///
/// One reader owns a window and uses it from one thread, one call at a time, so
/// its properties skip Swift's dynamic exclusivity checks (several per row).
final class InputWindow {
    @exclusivity(unchecked) private(set) var base: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private(set) var capacity: Int
    @exclusivity(unchecked) var start = 0
    @exclusivity(unchecked) private(set) var end = 0
    /// True once the source reported end of input.
    @exclusivity(unchecked) private(set) var atEOF = false
    private let source: ByteSource

    init(source: ByteSource) {
        self.source = source
        capacity = ManifestLimits.chunkBytes
        base = .allocate(capacity: capacity)
    }

    deinit {
        base.deallocate()
        source.close()
    }

    /// Bytes available from `start`.
    var available: Int { end - start }

    /// `fill()` for a reader: a failed read is a manifest error naming the file and line.
    func fill(fileName: String, line: Int) throws(ManifestError) -> Bool {
        do {
            return try fill()
        } catch {
            throw ManifestError(file: fileName, line: line, message: "cannot read: \(error.message)")
        }
    }

    /// Skips a UTF-8 byte order mark at the very start of the input (any other is a
    /// manifest error, found by the readers).
    func skipByteOrderMark(fileName: String) throws(ManifestError) {
        while available < 3, try fill(fileName: fileName, line: 1) {}
        if available >= 3 && base[start] == 0xEF && base[start + 1] == 0xBB && base[start + 2] == 0xBF {
            start += 3
        }
    }

    /// Moves the unconsumed bytes to the front, grows the buffer if a single row
    /// already fills it, and reads more. Returns false at end of input (nothing new).
    func fill() throws(ByteSourceError) -> Bool {
        if atEOF { return false }
        if start > 0 {
            let pending = end - start
            if pending > 0 { base.update(from: base + start, count: pending) }
            start = 0
            end = pending
        }
        if end == capacity {
            let grown = capacity * 2
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            bigger.update(from: base, count: end)
            base.deallocate()
            base = bigger
            capacity = grown
        }
        let n = try source.read(into: base + end, capacity: capacity - end)
        if n == 0 {
            atEOF = true
            return false
        }
        end += n
        return true
    }
}

@available(*, unavailable)
extension InputWindow: Sendable {}
