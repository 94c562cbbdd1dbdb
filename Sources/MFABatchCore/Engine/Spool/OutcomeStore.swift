import Foundation
import Synchronization

/// Every row's verdict, on disk, by row number: the report is written from here in
/// manifest order while tenants are decided in tenant order (and, with `--parallel`,
/// several at once). A fixed 24-byte slot per row (`pwrite` at `(row - 1) × 24`, so
/// workers never touch the same bytes) and the texts of the few failing rows in a
/// second file. Memory does not grow with the run.
///
/// Slot: status index + 1 (0: never recorded), presence flags, users matched,
/// users changed, message length, message offset.
final class OutcomeStore: Sendable {
    static let slotSize = 24
    private let slots: ScratchFile
    private let messages: ScratchFile
    private let messagesSize = Mutex(0)

    init() throws {
        slots = try ScratchFile(stem: "mfa-batch-outcomes")
        messages = try ScratchFile(stem: "mfa-batch-messages")
    }

    /// Records verdicts (thread-safe).
    func record(_ verdicts: [(row: Int, verdict: RowVerdict)]) throws {
        var text = SpoolEncoder()
        var placed: [(offset: Int, count: Int)] = []
        placed.reserveCapacity(verdicts.count)
        for (_, verdict) in verdicts {
            if verdict.error == nil && verdict.reason == nil {
                placed.append((0, 0))
                continue
            }
            let start = text.bytes.count
            text.string(verdict.error)
            text.string(verdict.reason)
            placed.append((start, text.bytes.count - start))
        }
        var base = 0
        if !text.bytes.isEmpty {
            base = messagesSize.withLock { size in
                defer { size += text.bytes.count }
                return size
            }
            try messages.write(text.bytes, at: base)
        }
        // One slot buffer for all rows (this runs once per row of the run).
        var slot = SpoolEncoder()
        slot.bytes.reserveCapacity(Self.slotSize)
        for (index, (row, verdict)) in verdicts.enumerated() {
            slot.removeAll()
            slot.u8(UInt8(verdict.status.index + 1))
            slot.u8((verdict.usersMatched == nil ? 0 : 1) | (verdict.usersChanged == nil ? 0 : 2))
            slot.u8(0)
            slot.u8(0)
            slot.u32(UInt32(clamping: verdict.usersMatched ?? 0))
            slot.u32(UInt32(clamping: verdict.usersChanged ?? 0))
            let message = placed[index]
            slot.u32(UInt32(message.count))
            slot.u64(message.count == 0 ? 0 : UInt64(base + message.offset))
            try slots.write(slot.bytes, at: (row - 1) * Self.slotSize)
        }
    }

    /// Reads verdicts in row order from row 1, a block of slots at a time.
    final class Reader {
        private let store: OutcomeStore
        private var block: [UInt8] = []
        private var blockStart = 1
        private let rowsPerBlock = 16_384

        init(_ store: OutcomeStore) { self.store = store }

        /// The verdict of `row`; nil when none was recorded. Rows must be asked for in
        /// increasing order.
        func verdict(row: Int) throws -> RowVerdict? {
            let end = blockStart + block.count / OutcomeStore.slotSize
            if row < blockStart || row >= end {
                blockStart = row
                block = try store.readSlots(from: row, count: rowsPerBlock)
            }
            let offset = (row - blockStart) * OutcomeStore.slotSize
            guard offset + OutcomeStore.slotSize <= block.count else { return nil }
            var decoder = SpoolDecoder(block, at: offset)
            let status = Int(decoder.u8())
            guard status > 0 else { return nil }
            let flags = decoder.u8()
            _ = decoder.u8()
            _ = decoder.u8()
            let matched = Int(decoder.u32())
            let changed = Int(decoder.u32())
            let messageCount = Int(decoder.u32())
            let messageOffset = Int(decoder.u64())
            var verdict = RowVerdict(status: RowStatus.allCases[status - 1],
                                     usersMatched: flags & 1 != 0 ? matched : nil,
                                     usersChanged: flags & 2 != 0 ? changed : nil)
            if messageCount > 0 {
                var text = SpoolDecoder(try store.messages.read(at: messageOffset, count: messageCount))
                verdict.error = text.string()
                verdict.reason = text.string()
            }
            return verdict
        }
    }

    /// Up to `count` slots from `row` (fewer at the end of what was written).
    private func readSlots(from row: Int, count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count * Self.slotSize)
        let got = try buffer.withUnsafeMutableBytes { target in
            var done = 0
            while done < target.count {
                let read = try POSIXFile.read(slots.fd, into: UnsafeMutableRawBufferPointer(rebasing: target[done...]),
                                              at: (row - 1) * Self.slotSize + done, path: "outcome spool")
                if read == 0 { break }
                done += read
            }
            return done
        }
        return Array(buffer[0..<(got / Self.slotSize) * Self.slotSize])
    }
}
