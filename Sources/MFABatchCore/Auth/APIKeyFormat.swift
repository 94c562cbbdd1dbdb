import Crypto

/// The shape of an mfa-batch API key, e.g.
/// `mfab_1a2b3c4d_Qm9vdHN0cmFwcGVkIHJhbmRvbSBzZWNyZXQgYnl0ZXMhIQ`.
///
/// - `mfab_` says what the string is (secret scanners can match it);
/// - 8 lowercase hex characters form the *visible prefix* `mfab_1a2b3c4d`, stored in
///   `api_keys.prefix` and shown by `keys list` so an operator can tell keys apart
///   without the secret; it is not secret and not unique;
/// - the secret is 32 bytes from the CSPRNG (256 bits), base64url without padding.
///
/// Only `hash(of:)` of the whole key is stored (`api_keys.key_hash`): a plain SHA-256
/// is enough because the key is high-entropy random, not a password, and it lets a
/// key be found by an index lookup on its hash.
public enum APIKeyFormat {
    public static let marker = "mfab_"
    /// Bytes of randomness in the secret part.
    public static let secretByteCount = 32
    /// Keys longer than this cannot be ours; they are refused before hashing.
    public static let maximumLength = 256

    /// Mints a new key: the clear key (shown once), its visible prefix and its hash.
    public static func generate() -> (key: String, prefix: String, hash: [UInt8]) {
        let prefix = marker + Crypto.hex(Crypto.randomBytes(4))
        let key = prefix + "_" + Base64URL.encode(Crypto.randomBytes(secretByteCount))
        return (key, prefix, hash(of: key))
    }

    /// SHA-256 of the key's UTF-8 bytes: the value of `api_keys.key_hash`.
    public static func hash(of key: String) -> [UInt8] {
        Crypto.sha256(Array(key.utf8))
    }

    /// The visible prefix (`mfab_1a2b3c4d`) of a well-formed key, nil otherwise.
    public static func visiblePrefix(of key: String) -> String? {
        isWellFormed(key) ? String(key.prefix(marker.count + 8)) : nil
    }

    /// Whether `key` has the shape `generate()` produces. The verifier does not
    /// require it (a hash lookup decides), but the CLI can use it to warn early.
    public static func isWellFormed(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        let hexEnd = marker.utf8.count + 8
        guard bytes.count == hexEnd + 1 + 43, key.hasPrefix(marker), bytes[hexEnd] == UInt8(ascii: "_") else {
            return false
        }
        let hexOK = bytes[marker.utf8.count..<hexEnd].allSatisfy {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
        }
        return hexOK && Base64URL.decode(bytes[(hexEnd + 1)...])?.count == secretByteCount
    }
}
