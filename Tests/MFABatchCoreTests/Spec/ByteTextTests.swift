import Foundation
import Testing
@testable import MFABatchCore

/// `ByteText.firstInvalidOffset` is the UTF-8 check of every non-ASCII cell: it
/// must accept exactly what the standard library accepts.
@Suite struct ByteTextTests {
    /// A small deterministic generator (xorshift), so a failure can be reproduced.
    struct Xorshift: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
    }

    @Test func agreesWithTheStandardLibraryOnRandomBytes() {
        var random = Xorshift(state: 0x9E37_79B9_7F4A_7C15)
        // Bytes biased towards UTF-8 lead and continuation bytes, so valid multi-byte
        // sequences (and near misses) are common.
        let alphabet: [UInt8] = [0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xE1, 0xED,
                                 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xFF]
        var valid = 0
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...8, using: &random)
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &random)! }
            let ours = bytes.withUnsafeBufferPointer { ByteText.firstInvalidOffset($0) == nil }
            let standard = String(validating: bytes, as: UTF8.self) != nil
            #expect(ours == standard, "\(bytes.map { String($0, radix: 16) })")
            if standard { valid += 1 }
        }
        #expect(valid > 1_000)
    }
}
