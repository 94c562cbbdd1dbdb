import Foundation

/// The lexical rules of row values (section 2 of PRODUCT.md), on UTF-8 bytes so the
/// validator checks a row without making a `String` of it.
enum FieldSyntax {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits in either case.
    static func uuid(_ bytes: Bytes) -> UUID? {
        guard bytes.count == 36 else { return nil }
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let ok = withUnsafeMutableBytes(of: &uuid) { raw -> Bool in
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
    static func isSlug(_ bytes: Bytes) -> Bool {
        guard (1...63).contains(bytes.count), bytes[0] != UInt8(ascii: "-") else { return false }
        for b in bytes where !((b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "-")) {
            return false
        }
        return true
    }

    /// How an acceptable address must be lower-cased (emails are case-insensitive here).
    enum EmailCase {
        case lower, asciiUpper, nonASCII
    }

    /// A plausible address: one `@`, a non-empty local part (at most 64 bytes), a
    /// dotted domain without empty labels, no blanks, controls or the characters
    /// that never occur in an address a user can sign up with. One pass over the
    /// bytes with a class table: this runs for most rows. Nil when not an address.
    static func email(_ bytes: Bytes) -> EmailCase? {
        let n = bytes.count
        guard n <= 254 else { return nil }
        var at = -1, labelStart = -1, dots = 0
        var seen: UInt8 = 0
        for i in 0..<n {
            let kind = emailByteKinds[Int(bytes[i])]
            seen |= kind
            if kind & (EmailByte.at | EmailByte.dot) == 0 { continue }
            if kind == EmailByte.at {
                if at >= 0 { return nil }
                at = i
                labelStart = i + 1
            } else if at >= 0 {
                if i == labelStart { return nil }
                labelStart = i + 1
                dots += 1
            }
        }
        guard seen & EmailByte.forbidden == 0, at > 0 && at <= 64 && dots >= 1 && labelStart < n else { return nil }
        return seen & EmailByte.nonASCII != 0 ? .nonASCII : seen & EmailByte.upper != 0 ? .asciiUpper : .lower
    }

    /// Bits of `emailByteKinds`.
    private enum EmailByte {
        static let at: UInt8 = 1, dot: UInt8 = 2, forbidden: UInt8 = 4, upper: UInt8 = 8, nonASCII: UInt8 = 16
    }

    /// What each byte value is to `email`.
    private static let emailByteKinds: [UInt8] = (0..<256).map { value -> UInt8 in
        switch UInt8(value) {
        case UInt8(ascii: "@"): return EmailByte.at
        case UInt8(ascii: "."): return EmailByte.dot
        case 0...0x20, 0x7F, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "("), UInt8(ascii: ")"),
             UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "\\"), UInt8(ascii: ","), UInt8(ascii: ";"),
             UInt8(ascii: ":"), UInt8(ascii: "\""):
            return EmailByte.forbidden
        case 0x41...0x5A: return EmailByte.upper
        case 0x80...: return EmailByte.nonASCII
        default: return 0
        }
    }

    /// `text` with its ASCII letters lower-cased, as `email` said it must be. Other
    /// letters are kept as written: the database compares emails with its own
    /// `lower()` (as its unique index does), and Swift's full case mapping differs
    /// from it (`İ` becomes `i̇` here, `i` there).
    static func lowercased(_ text: String, _ emailCase: EmailCase) -> String {
        switch emailCase {
        case .lower: return text
        case .nonASCII, .asciiUpper:
            return String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
        }
    }

    /// `true` / `false`, ASCII case-insensitive (CSV cells, already trimmed).
    /// (`b | 0x20` folds exactly the upper-case letter onto its lower-case one; no
    /// other character lower-cases onto these letters.)
    static func csvBool(_ b: Bytes) -> Bool? {
        if b.count == 4 && b[0] | 0x20 == 0x74 && b[1] | 0x20 == 0x72 && b[2] | 0x20 == 0x75 && b[3] | 0x20 == 0x65 {
            return true
        }
        if b.count == 5 && b[0] | 0x20 == 0x66 && b[1] | 0x20 == 0x61 && b[2] | 0x20 == 0x6C
            && b[3] | 0x20 == 0x73 && b[4] | 0x20 == 0x65 {
            return false
        }
        return nil
    }

    /// Where the token of a `Bearer` value starts: the scheme, case-insensitive (RFC
    /// 7235), then the end of the value or blanks. Nil when the scheme is another
    /// (`Basic …`) or not followed by a blank (`Bearera.b.c`). Whether the token is a
    /// well-formed JWT is the credential check's to say (401 "malformed token", step
    /// 2 of the contract's order), not the schema's; the token may even be empty.
    static func bearerTokenOffset(_ bytes: Bytes) -> Int? {
        guard bytes.count >= 6 else { return nil }
        let scheme: StaticString = "bearer"
        for i in 0..<6 where bytes[i] | 0x20 != scheme.utf8Start[i] { return nil }
        if bytes.count == 6 { return 6 }
        guard bytes[6] == 0x20 || bytes[6] == 0x09 else { return nil }
        var start = 7
        while start < bytes.count && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
        return start
    }

    /// Whether `bytes` hold a NUL (U+0000, which a JSON string can spell `\u0000`):
    /// PostgreSQL text cannot store one, so no value that reaches it may.
    static func containsNUL(_ bytes: Bytes) -> Bool {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
        return memchr(base, 0, bytes.count) != nil
    }

    /// The range of `bytes` without surrounding spaces and tabs.
    static func trimmedBlanks(_ bytes: Bytes) -> (offset: Int, count: Int) {
        var start = 0, end = bytes.count
        while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
        while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
        return (start, end - start)
    }
}

extension FieldSyntax {
    /// A user id or address in `text` (whitespace around it ignored), for a row that
    /// failed the schema check but still names its user.
    static func legibleUser(_ text: String) -> UserSelector? {
        withTrimmedBytes(text) { bytes in
            if let id = uuid(bytes) { return .id(id) }
            guard let emailCase = email(bytes) else { return nil }
            return .email(lowercased(String(decoding: bytes, as: UTF8.self), emailCase))
        }
    }

    /// An account id or slug in `text` (whitespace around it ignored), for a row that
    /// failed the schema check but still names its tenant.
    static func legibleAccount(_ text: String) -> AccountRef? {
        accountRef(text.trimmingCharacters(in: .whitespaces))
    }

    /// `text` exactly as an account id or slug, if it is one.
    static func accountRef(_ text: String) -> AccountRef? {
        var text = text
        return text.withUTF8 { bytes in
            if let id = uuid(bytes) { return .id(id) }
            return isSlug(bytes) ? .slug(String(decoding: bytes, as: UTF8.self)) : nil
        }
    }

    /// `body` on the UTF-8 of `text` without surrounding whitespace, Unicode spaces
    /// included (a no-break space pasted from a web page still names the tenant or
    /// user here, which keeps a failed row tied to them; rare path, so Foundation).
    private static func withTrimmedBytes<Result>(_ text: String, _ body: (Bytes) -> Result) -> Result {
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed.withUTF8(body)
    }
}
