/// The cells of one CSV row in one buffer: the header's names (shared by every row)
/// and the cells' UTF-8, unescaped, copied out of the reader's window.
///
/// Layout of the bytes: per cell, its byte count as a native-endian `UInt32`, then
/// its bytes. The reader builds each row into the buffer of the previous one when
/// nobody holds that row any more (`isKnownUniquelyReferenced`), so a row costs
/// one retain and no allocation; a row that is kept keeps its buffer, and the next
/// row gets a new one.
///
/// Owns its bytes (allocated in `init`, freed in `deinit`). `@unchecked Sendable`:
/// they are written only while the reader holds the only reference — a new buffer,
/// or a reused one whose rows have all been dropped — the reasoning of an array's
/// copy-on-write; while any `RawRow` holds the buffer, nobody writes it.
final class CSVCells: @unchecked Sendable {
    let names: [String]
    private let bytes: UnsafeMutablePointer<UInt8>
    private let capacity: Int

    private init(names: [String], capacity: Int) {
        self.names = names
        self.capacity = capacity
        bytes = .allocate(capacity: capacity)
    }

    deinit { bytes.deallocate() }

    var count: Int { names.count }

    /// `reusing` if it is unique and large enough, else a new buffer, filled with
    /// `cells` of `base` (`""` → `"`). The reader has already checked that every
    /// non-ASCII cell is valid UTF-8.
    static func build(reusing previous: inout CSVCells?, names: [String], base: UnsafePointer<UInt8>,
                      cells: [CSVRecordScanner.Cell]) -> CSVCells {
        var needed = 4 * cells.count
        for cell in cells { needed += cell.end - cell.start }
        let buffer: CSVCells
        if isKnownUniquelyReferenced(&previous), let reused = previous, reused.capacity >= needed {
            buffer = reused
        } else {
            buffer = CSVCells(names: names, capacity: max(needed, 256))
        }
        let out = buffer.bytes
        var o = 0
        for cell in cells {
            let lengthAt = o
            o += 4
            if cell.hasEscapedQuotes {
                var i = cell.start
                while i < cell.end {
                    out[o] = base[i]
                    o += 1
                    i += base[i] == UInt8(ascii: "\"") ? 2 : 1
                }
            } else {
                let count = cell.end - cell.start
                (out + o).initialize(from: base + cell.start, count: count)
                o += count
            }
            UnsafeMutableRawPointer(out + lengthAt).storeBytes(of: UInt32(o - lengthAt - 4), as: UInt32.self)
        }
        previous = buffer
        return buffer
    }

    /// Calls `body` with each cell's index, name and bytes (valid only inside
    /// `body`), in order, until it returns false.
    @inline(__always)
    func forEach(_ body: (Int, String, UnsafeBufferPointer<UInt8>) -> Bool) {
        var position = 0
        for index in 0..<names.count {
            let length = Int(UnsafeRawPointer(bytes + position).loadUnaligned(as: UInt32.self))
            if !body(index, names[index], UnsafeBufferPointer(start: bytes + position + 4, count: length)) { return }
            position += 4 + length
        }
    }

    /// Cell `index`'s bytes, valid only inside `body`.
    func withBytes<Result>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        precondition(index < count, "cell \(index) of a row of \(count)")
        var result: Result?
        forEach { cell, _, bytes in
            guard cell == index else { return true }
            result = body(bytes)
            return false
        }
        return result.unsafelyUnwrapped
    }

    /// Cell `index` as a `String`.
    func text(at index: Int) -> String {
        withBytes(at: index) { String(decoding: $0, as: UTF8.self) }
    }
}
