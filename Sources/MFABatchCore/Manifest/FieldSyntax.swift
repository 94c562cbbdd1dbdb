import Foundation

/// The lexical rules of row values (section 2 of PRODUCT.md), on UTF-8 bytes so the
/// validator stays cheap per row.
enum FieldSyntax {
    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits in either case.
    static func uuid(_ text: String) -> UUID? {
        guard text.utf8.count == 36 else { return nil }
        var text = text
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let ok = text.withUTF8 { bytes in
            withUnsafeMutableBytes(of: &uuid) { raw -> Bool in
                var out = 0, i = 0
                while i < 36 {
                    if i == 8 || i == 13 || i == 18 || i == 23 {
                        guard bytes[i] == UInt8(ascii: "-") else { return false }
                        i += 1
                        continue
                    }
                    guard let high = hexValue(bytes[i]), let low = hexValue(bytes[i + 1]) else { return false }
                    raw[out] = high << 4 | low
                    out += 1
                    i += 2
                }
                return true
            }
        }
        return ok ? UUID(uuid: uuid) : nil
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    /// 1–63 of `a-z`, `0-9`, `-`, starting with a letter or digit.
    static func isSlug(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard (1...63).contains(bytes.count), bytes[0] != UInt8(ascii: "-") else { return false }
            for b in bytes where !((b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "-")) {
                return false
            }
            return true
        }
    }

    /// A plausible address: one `@`, a non-empty local part (at most 64 bytes), a
    /// dotted domain without empty labels, no blanks, controls or the characters
    /// that never occur in an address a user can sign up with. Lower-cased (emails
    /// are case-insensitive here). One pass over the bytes: this runs for most rows.
    static func email(_ text: String) -> String? {
        var text = text
        let shape = text.withUTF8 { bytes -> (valid: Bool, upper: Bool, nonASCII: Bool) in
            let n = bytes.count
            guard n <= 254 else { return (false, false, false) }
            var at = -1, labelStart = -1, dots = 0
            var upper = false, nonASCII = false
            for i in 0..<n {
                let b = bytes[i]
                switch b {
                case UInt8(ascii: "@"):
                    if at >= 0 { return (false, false, false) }
                    at = i
                    labelStart = i + 1
                case UInt8(ascii: "."):
                    if at >= 0 {
                        if i == labelStart { return (false, false, false) }
                        labelStart = i + 1
                        dots += 1
                    }
                case 0...0x20, 0x7F, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "("), UInt8(ascii: ")"),
                     UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "\\"), UInt8(ascii: ","), UInt8(ascii: ";"),
                     UInt8(ascii: ":"), UInt8(ascii: "\""):
                    return (false, false, false)
                case 0x41...0x5A: upper = true
                case 0x80...: nonASCII = true
                default: break
                }
            }
            let valid = at > 0 && at <= 64 && dots >= 1 && labelStart < n
            return (valid, upper, nonASCII)
        }
        guard shape.valid else { return nil }
        if shape.nonASCII { return text.lowercased() }
        if !shape.upper { return text }
        return String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// `true` / `false`, ASCII case-insensitive (CSV cells, already trimmed).
    /// (`b | 0x20` folds exactly the upper-case letter onto its lower-case one.)
    static func csvBool(_ text: String) -> Bool? {
        let result = text.utf8.withContiguousStorageIfAvailable { b -> Bool? in
            if b.count == 4 && b[0] | 0x20 == 0x74 && b[1] | 0x20 == 0x72 && b[2] | 0x20 == 0x75 && b[3] | 0x20 == 0x65 {
                return true
            }
            if b.count == 5 && b[0] | 0x20 == 0x66 && b[1] | 0x20 == 0x61 && b[2] | 0x20 == 0x6C
                && b[3] | 0x20 == 0x73 && b[4] | 0x20 == 0x65 {
                return false
            }
            return nil
        }
        if let result { return result }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    /// The JWT of `Bearer <JWT>`: scheme case-insensitive (RFC 7235), then blanks,
    /// then three base64url segments (the signature may be empty, so that an
    /// `alg: none` token reaches the credential check and is refused there as 401).
    static func bearerToken(_ text: String) -> String? {
        let utf8 = text.utf8
        guard utf8.count > 7 else { return nil }
        let scheme = utf8.prefix(6)
        guard String(decoding: scheme, as: UTF8.self).lowercased() == "bearer" else { return nil }
        let rest = utf8.dropFirst(6)
        guard let first = rest.first, first == 0x20 || first == 0x09 else { return nil }
        let token = rest.drop { $0 == 0x20 || $0 == 0x09 }
        let segments = token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 3, !segments[0].isEmpty, !segments[1].isEmpty else { return nil }
        for b in token where !isBase64URL(b) && b != UInt8(ascii: ".") { return nil }
        return String(decoding: token, as: UTF8.self)
    }

    private static func isBase64URL(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
    }
}
