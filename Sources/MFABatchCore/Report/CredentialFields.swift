import Foundation

/// Recognizes manifest fields that carry a credential, so that no rejects file ever
/// repeats one. Deliberately loose: besides `api_key` and `authorization` it matches
/// their case, blank and punctuation variants (`API-Key`, `x_api_key`, `Bearer`),
/// because a misspelt credential column is exactly the row that gets rejected (as an
/// unknown field) and copied into the rejects file.
enum CredentialFields {
    private static let normalizedNames: Set<String> = ["apikey", "xapikey", "authorization", "bearer"]

    static func isCredential(_ name: String) -> Bool {
        normalizedNames.contains(normalize(name))
    }

    /// A value that looks like a credential wherever it stands (an unknown JSON field
    /// such as `token`, a key pasted into `user`): see `containsCredential`.
    static func looksLikeCredential(_ value: String) -> Bool {
        containsCredential(value)
    }

    /// Whether `text` holds, anywhere in it, something shaped like a credential:
    /// - an mfa-batch API key: `mfab_` and at least 8 key characters (a truncated or
    ///   mangled key is still most of a secret);
    /// - a bearer header: the whole value starting with `Bearer ` (any case), or
    ///   `bearer` followed by blanks and a token of at least 16 characters;
    /// - a JWT: `eyJ` (base64url of `{"`) at the start of a word, then base64url, a
    ///   dot, base64url, and a second dot.
    /// One pass over the UTF-8 bytes; deliberately loose (a comment that merely looks
    /// like one is hidden too), because what it misses is printed and stored.
    static func containsCredential(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            let n = bytes.count
            guard n >= 8 else { return false }
            var start = 0
            while start < n && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
            if n - start >= 7 && matchesFolded(bytes, start, "bearer ") { return true }
            var i = 0
            while i < n {
                let b = bytes[i]
                if (b == 0x6D || b == 0x4D) && matchesFolded(bytes, i, "mfab_") {
                    if run(bytes, from: i + 5, isKeyByte) >= 8 { return true }
                } else if (b == 0x62 || b == 0x42) && matchesFolded(bytes, i, "bearer") {
                    var j = i + 6
                    var blanks = 0
                    while j < n && (bytes[j] == 0x20 || bytes[j] == 0x09) { j += 1; blanks += 1 }
                    if blanks > 0 && run(bytes, from: j, isTokenByte) >= 16 { return true }
                } else if b == UInt8(ascii: "e") && i + 3 <= n && bytes[i + 1] == UInt8(ascii: "y")
                            && bytes[i + 2] == UInt8(ascii: "J") && (i == 0 || !isKeyByte(bytes[i - 1])) {
                    let header = run(bytes, from: i, isBase64URLByte)
                    let dot1 = i + header
                    if dot1 < n && bytes[dot1] == UInt8(ascii: ".") {
                        let payload = run(bytes, from: dot1 + 1, isBase64URLByte)
                        let dot2 = dot1 + 1 + payload
                        if payload > 0 && dot2 < n && bytes[dot2] == UInt8(ascii: ".") { return true }
                    }
                }
                i += 1
            }
            return false
        }
    }

    /// Whether `bytes` at `offset` spell `word` (ASCII letters in any case).
    private static func matchesFolded(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int, _ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard offset + count <= bytes.count else { return false }
        for k in 0..<count {
            let expected = word.utf8Start[k]
            let got = bytes[offset + k]
            let folded = (got >= 0x41 && got <= 0x5A) ? got | 0x20 : got
            if folded != expected { return false }
        }
        return true
    }

    /// How many bytes from `from` satisfy `accept`.
    private static func run(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, _ accept: (UInt8) -> Bool) -> Int {
        var j = from
        while j < bytes.count && accept(bytes[j]) { j += 1 }
        return j - from
    }

    private static func isBase64URLByte(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
    }

    private static func isKeyByte(_ b: UInt8) -> Bool { isBase64URLByte(b) }

    /// RFC 6750 token68 characters, and the dots of a JWT.
    private static func isTokenByte(_ b: UInt8) -> Bool {
        isBase64URLByte(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "~") || b == UInt8(ascii: "+")
            || b == UInt8(ascii: "/") || b == UInt8(ascii: "=")
    }

    /// Lower-cased letters and digits only.
    private static func normalize(_ name: String) -> String {
        String(String.UnicodeScalarView(name.lowercased().unicodeScalars.filter {
            ("a"..."z").contains($0) || ("0"..."9").contains($0)
        }))
    }
}
