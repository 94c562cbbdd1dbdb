import Foundation
import Postgres

/// Builds HS256 compact JWTs for CLI tests. The CLITests target cannot import
/// `Crypto`, so the HMAC-SHA256 is computed by PostgreSQL's pgcrypto `hmac()` in the
/// test's own database (an independent implementation from the product's OpenSSL
/// call, which makes it a fair oracle).
enum JWTMinting {
    /// Installs pgcrypto in the test database (idempotent).
    static func enable(_ connection: Connection) throws {
        try connection.query("CREATE EXTENSION IF NOT EXISTS pgcrypto")
    }

    /// base64url without padding (RFC 7515 §2).
    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A JSON object's bytes (keys sorted, so tokens are reproducible).
    static func json(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// HMAC-SHA256 of `message` under the key bytes given as hex, computed by pgcrypto.
    static func hmacSHA256(_ message: String, keyHex: String, using connection: Connection) throws -> Data {
        let hex = try connection.query(
            "SELECT encode(hmac(convert_to($1, 'UTF8'), decode($2, 'hex'), 'sha256'), 'hex')", [message, keyHex]).scalar
        return try bytes(hex: hex ?? "")
    }

    /// `header.payload.signature`, signed with the `jwt_keys.secret` whose bytes are `keyHex`.
    static func token(header: [String: Any], claims: [String: Any], keyHex: String,
                      using connection: Connection) throws -> String {
        let signingInput = base64URL(try json(header)) + "." + base64URL(try json(claims))
        return signingInput + "." + base64URL(try hmacSHA256(signingInput, keyHex: keyHex, using: connection))
    }

    /// An HS256 token with header `{"alg":"HS256","typ":"JWT","kid":kid}`.
    static func hs256(kid: String, claims: [String: Any], keyHex: String, using connection: Connection) throws -> String {
        try token(header: ["alg": "HS256", "typ": "JWT", "kid": kid], claims: claims, keyHex: keyHex, using: connection)
    }

    /// The three segments of a compact token.
    static func segments(_ token: String) -> [String] {
        token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    /// `token` with its payload replaced by `claims` and its signature kept: a
    /// forgery whose signature no longer matches.
    static func tampered(_ token: String, claims: [String: Any]) throws -> String {
        let parts = segments(token)
        return parts[0] + "." + base64URL(try json(claims)) + "." + parts[2]
    }

    struct BadHex: Error { var text: String }

    /// Bytes from hex digits (even length).
    static func bytes(hex: String) throws -> Data {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0, !digits.isEmpty else { throw BadHex(text: hex) }
        var bytes: [UInt8] = []
        var index = 0
        while index < digits.count {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
                throw BadHex(text: hex)
            }
            bytes.append(byte)
            index += 2
        }
        return Data(bytes)
    }
}
