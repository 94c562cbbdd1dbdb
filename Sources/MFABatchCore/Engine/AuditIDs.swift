import Crypto
import Foundation

/// Ids of one tenant's audit rows, made by the tool so that the audit `INSERT`
/// calls no volatile function (Citus then routes it to the tenant's shard), and
/// ascending in the order given, so that audit rows written by one statement (one
/// `changed_at`) still sort in the order they were applied.
///
/// UUID version 7 layout (RFC 9562): 48 bits of Unix time in milliseconds, then
/// random bits, except that the last 32 bits count up from zero within the call.
/// PostgreSQL compares `uuid` values byte by byte, so the ids of one call compare
/// in their order; ids of different calls differ in their time or random bits.
enum AuditIDs {
    static func ascending(count: Int, now: Date = Date()) -> [UUID] {
        guard count > 0 else { return [] }
        precondition(count <= Int(UInt32.max), "too many audit rows for one statement")
        let milliseconds = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        let random = Crypto.randomBytes(6)
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - UInt64(index)))) }
        bytes[6] = 0x70 | (random[0] & 0x0F)   // version 7
        bytes[7] = random[1]
        bytes[8] = 0x80 | (random[2] & 0x3F)   // RFC 4122 variant
        bytes[9] = random[3]
        bytes[10] = random[4]
        bytes[11] = random[5]
        var ids: [UUID] = []
        ids.reserveCapacity(count)
        for counter in 0..<UInt32(count) {
            bytes[12] = UInt8(truncatingIfNeeded: counter >> 24)
            bytes[13] = UInt8(truncatingIfNeeded: counter >> 16)
            bytes[14] = UInt8(truncatingIfNeeded: counter >> 8)
            bytes[15] = UInt8(truncatingIfNeeded: counter)
            ids.append(UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                                   bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15])))
        }
        return ids
    }
}
