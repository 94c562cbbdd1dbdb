import Foundation

/// Appends values in the engine's private scratch format: little-endian integers
/// and length-prefixed UTF-8 (a length of `UInt32.max` is nil). Written and read by
/// the same process only, so it needs no version.
struct SpoolEncoder {
    var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func u64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func int(_ value: Int) { u64(UInt64(bitPattern: Int64(value))) }

    mutating func string(_ value: String?) {
        guard var value else {
            u32(.max)
            return
        }
        value.withUTF8 { utf8 in
            u32(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func uuid(_ value: UUID) {
        withUnsafeBytes(of: value.uuid) { bytes.append(contentsOf: $0) }
    }

    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }
}

/// Reads what `SpoolEncoder` wrote. A short or malformed buffer is a bug of this
/// process (the files are private and never read by anyone else), so it traps.
struct SpoolDecoder {
    let bytes: [UInt8]
    var position: Int

    init(_ bytes: [UInt8], at position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var isAtEnd: Bool { position >= bytes.count }

    mutating func u8() -> UInt8 {
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u32() -> UInt32 {
        var value: UInt32 = 0
        for shift in 0..<4 { value |= UInt32(bytes[position + shift]) << UInt32(8 * shift) }
        position += 4
        return value
    }

    mutating func u64() -> UInt64 {
        var value: UInt64 = 0
        for shift in 0..<8 { value |= UInt64(bytes[position + shift]) << UInt64(8 * shift) }
        position += 8
        return value
    }

    mutating func int() -> Int { Int(Int64(bitPattern: u64())) }

    mutating func string() -> String? {
        let count = u32()
        if count == .max { return nil }
        defer { position += Int(count) }
        return String(decoding: bytes[position..<position + Int(count)], as: UTF8.self)
    }

    mutating func uuid() -> UUID {
        var value = UUID().uuid
        withUnsafeMutableBytes(of: &value) { target in
            for index in 0..<16 { target[index] = bytes[position + index] }
        }
        position += 16
        return UUID(uuid: value)
    }
}
