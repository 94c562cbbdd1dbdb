import Foundation

/// A compact JWS (RFC 7515) taken apart and type-checked, not yet verified.
///
/// Parsing is strict and cheap to refuse: the whole token is capped at 8 KiB before
/// anything is decoded (a 1 MB token costs one length check), it must have exactly
/// three canonical base64url segments (no padding, `+`, `/` or blanks), the header
/// and payload must be strict RFC 8259 UTF-8 JSON objects (the project's own
/// scanner, not `JSONSerialization`, which takes trailing commas and UTF-16) with
/// no member twice and no NUL character in any string, and every claim we read must
/// have the right JSON type (`exp: true` is not a number). The algorithm is checked before the key
/// id, so `alg: none` tokens (which usually carry no `kid`) are reported as an
/// unsupported algorithm.
struct JWT {
    /// Tokens longer than this (in UTF-8 bytes) are refused before decoding.
    static let maximumLength = 8 * 1024
    static let algorithm = "HS256"

    /// The `kid` header: which of the account's `jwt_keys` signed it.
    let kid: String
    /// `base64url(header) + "." + base64url(payload)`, the bytes the HMAC covers.
    let signingInput: [UInt8]
    let signature: [UInt8]
    let claims: Claims

    /// The claims the verifier uses. Absent claims are nil; present claims of the
    /// wrong type made the token malformed.
    struct Claims {
        var exp: Double?
        var nbf: Double?
        var acct: String?
        var sub: String?
        var scopes: [String]
    }

    /// Parses `token` (without "Bearer "); throws the denial for anything malformed.
    static func parse(_ token: String) throws(AuthDenial) -> JWT {
        guard token.utf8.count <= maximumLength else { throw .malformedToken }
        let bytes = Array(token.utf8)
        let segments = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 3, !segments[0].isEmpty, !segments[1].isEmpty else { throw .malformedToken }

        guard let headerBytes = Base64URL.decode(segments[0]), let header = jsonObject(headerBytes) else {
            throw .malformedToken
        }
        guard let alg = try string(header["alg"]) else { throw .malformedToken }
        guard alg == algorithm else { throw .unsupportedAlgorithm }
        guard let kid = try string(header["kid"]), !kid.isEmpty else { throw .malformedToken }
        // RFC 7515 §4.1.11: an extension we do not understand must not be ignored.
        guard header["crit"] == nil else { throw .malformedToken }

        guard let payloadBytes = Base64URL.decode(segments[1]), let payload = jsonObject(payloadBytes) else {
            throw .malformedToken
        }
        guard let signature = Base64URL.decode(segments[2]) else { throw .malformedToken }

        let claims = Claims(
            exp: try number(payload["exp"]),
            nbf: try number(payload["nbf"]),
            acct: try string(payload["acct"]),
            sub: try string(payload["sub"]),
            scopes: try string(payload["scope"]).map { $0.split(separator: " ").map(String.init) } ?? [])
        let signingInput = Array(bytes[..<(segments[1].endIndex)])
        return JWT(kid: kid, signingInput: signingInput, signature: signature, claims: claims)
    }

    /// The members of a JSON object, by name; nil unless the bytes are one strict
    /// RFC 8259 UTF-8 JSON object (`OrderedJSON.parse(strict:)`: no byte order mark,
    /// no UTF-16, no trailing comma), without a member name given twice (which value
    /// a verifier reads is then anyone's guess: RFC 7515 §4 says reject), and without
    /// a NUL (`\u0000`) in any string or member name: the key id and subject travel
    /// to PostgreSQL, whose text cannot hold one, so such a token is malformed before
    /// anything is looked up.
    private static func jsonObject(_ bytes: [UInt8]) -> [String: OrderedJSON]? {
        guard case .object(let members)? = try? OrderedJSON.parse(bytes, strict: true), !containsNUL(.object(members)) else {
            return nil
        }
        var object: [String: OrderedJSON] = [:]
        for member in members {
            guard object.updateValue(member.value, forKey: member.key) == nil else { return nil }
        }
        return object
    }

    /// Whether any string in a parsed JSON value, member names included, holds U+0000.
    /// Walks with its own stack (nesting depth is bounded by the parser anyway).
    private static func containsNUL(_ value: OrderedJSON) -> Bool {
        var pending: [OrderedJSON] = [value]
        while let next = pending.popLast() {
            switch next {
            case .string(let text):
                if text.utf8.contains(0) { return true }
            case .object(let members):
                for member in members {
                    if member.key.utf8.contains(0) { return true }
                    pending.append(member.value)
                }
            case .array(let elements):
                pending.append(contentsOf: elements)
            case .number, .bool, .null:
                break
            }
        }
        return false
    }

    /// nil when absent; a finite JSON number when present; malformed otherwise
    /// (`true`, a string, `null`, `1e999`).
    private static func number(_ value: OrderedJSON?) throws(AuthDenial) -> Double? {
        guard let value else { return nil }
        guard case .number(let text) = value, let number = Double(text), number.isFinite else {
            throw .malformedToken
        }
        return number
    }

    /// nil when absent; a JSON string when present; malformed otherwise.
    private static func string(_ value: OrderedJSON?) throws(AuthDenial) -> String? {
        guard let value else { return nil }
        guard case .string(let string) = value else { throw .malformedToken }
        return string
    }
}
