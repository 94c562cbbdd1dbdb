/// Turns manifest bytes into `String`s, refusing what a manifest must not contain.
///
/// Every reader goes through here so the rules are the same for all formats:
/// invalid UTF-8 and a byte order mark anywhere but the first bytes of the file
/// (the usual trace of files concatenated with `cat`) are manifest errors, named by
/// offset so the reader can name the line.
enum ByteText {
    enum Outcome {
        case text(String)
        /// Offset (from the start of the given bytes) of the first bad sequence.
        case invalidUTF8(at: Int)
        case byteOrderMark(at: Int)
    }

    /// Decodes `count` bytes at `start`. `nonASCII` is a hint from a caller that has
    /// already looked at every byte: when false, decoding cannot fail.
    static func decode(_ start: UnsafePointer<UInt8>, count: Int, nonASCII: Bool = true) -> Outcome {
        let bytes = UnsafeBufferPointer(start: start, count: count)
        if nonASCII, let problem = problem(in: bytes) { return problem }
        return .text(String(decoding: bytes, as: UTF8.self))
    }

    /// What makes `bytes` unacceptable as manifest text (`.invalidUTF8` or
    /// `.byteOrderMark`), nil when they are fine. Checks without building a `String`.
    static func problem(in bytes: UnsafeBufferPointer<UInt8>) -> Outcome? {
        if let offset = firstInvalidOffset(bytes) { return .invalidUTF8(at: offset) }
        if let bom = byteOrderMarkOffset(bytes) { return .byteOrderMark(at: bom) }
        return nil
    }

    /// A string's UTF-8 length, first and last byte (0 when empty), read from its
    /// contiguous storage: the generic `utf8.first`/`last` are not free per cell.
    @inline(__always)
    static func edges(_ text: String) -> (count: Int, first: UInt8, last: UInt8) {
        if let edges = text.utf8.withContiguousStorageIfAvailable({ bytes -> (Int, UInt8, UInt8) in
            bytes.isEmpty ? (0, 0, 0) : (bytes.count, bytes[0], bytes[bytes.count - 1])
        }) {
            return edges
        }
        return (text.utf8.count, text.utf8.first ?? 0, text.utf8.last ?? 0)
    }

    /// Where the bytes EF BB BF (U+FEFF) occur first, if at all.
    static func byteOrderMarkOffset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count >= 3 else { return nil }
        var i = 0
        while i + 2 < bytes.count {
            if bytes[i] == 0xEF && bytes[i + 1] == 0xBB && bytes[i + 2] == 0xBF { return i }
            i += 1
        }
        return nil
    }

    /// The offset of the first byte that does not start a well-formed UTF-8
    /// sequence, nil when all of them are valid UTF-8 (run only on text with a byte
    /// >= 0x80, which is rare in a manifest, so it favours clarity).
    static func firstInvalidOffset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch b {
            case 0x00...0x7F: i += 1; continue
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return i
            }
            guard i + length <= bytes.count else { return i }
            let second = bytes[i + 1]
            guard second >= low && second <= high else { return i }
            for k in 2..<max(2, length) where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }
}
