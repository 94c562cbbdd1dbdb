/// The bytes a writer has encoded but not yet written. Writers encode every row
/// straight into this `[UInt8]` (no `String` building, no Foundation formatting per
/// row) and hand it to the file once it passes `flushThreshold`, so a report of a
/// million rows costs a few hundred `write(2)` calls.
struct OutputBuffer {
    /// A chunk size that keeps system-call overhead negligible and memory flat.
    static let flushThreshold = 256 * 1024

    private(set) var bytes: [UInt8] = []

    init(reserving capacity: Int = OutputBuffer.flushThreshold + 4096) {
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }
    var isFull: Bool { bytes.count >= OutputBuffer.flushThreshold }

    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    mutating func append(byte: UInt8) { bytes.append(byte) }

    /// Literal ASCII/UTF-8 text written as is (keys, punctuation).
    mutating func append(_ literal: StaticString) {
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Text written verbatim, without escaping.
    mutating func append(text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func append(bytes other: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: other) }

    /// A decimal integer, written without allocating a `String`.
    mutating func append(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits = 1
        var probe = magnitude
        while probe >= 10 { probe /= 10; digits += 1 }
        let end = bytes.count + digits
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        var index = end - 1
        repeat {
            bytes[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            index -= 1
        } while magnitude > 0
    }

    /// `value` zero-padded to `width` digits (timestamps); `value` must be >= 0.
    mutating func append(_ value: Int, width: Int) {
        var digits = 1
        var probe = value
        while probe >= 10 { probe /= 10; digits += 1 }
        if digits < width { bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - digits)) }
        append(value)
    }
}
