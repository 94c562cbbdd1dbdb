import Foundation

/// A compact JWS (RFC 7515) taken apart and type-checked, not yet verified.
///
/// Parsing is strict and cheap to refuse: the whole token is capped at 8 KiB before
/// anything is decoded (a 1 MB token costs one length check), it must have exactly
/// three canonical base64url segments, the header and payload must be JSON objects
/// with no NUL character in any string, and every claim we read must have the right
/// JSON type (`exp: true` is not a number). The algorithm is checked before the key
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
        guard let alg = header["alg"] as? String else { throw .malformedToken }
        guard alg == algorithm else { throw .unsupportedAlgorithm }
        guard let kid = header["kid"] as? String, !kid.isEmpty else { throw .malformedToken }
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

    /// A JSON object, or nil for invalid JSON, for any other top-level value, and for
    /// an object with a NUL (`\u0000`) in any string or member name: the key id and
    /// subject travel to PostgreSQL, whose text cannot hold one, so such a token is
    /// malformed before anything is looked up.
    private static func jsonObject(_ bytes: [UInt8]) -> [String: Any]? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
              !containsNUL(object) else {
            return nil
        }
        return object
    }

    /// Whether any string in a parsed JSON value, member names included, holds U+0000.
    /// Walks with its own stack (nesting depth is the token's to choose).
    private static func containsNUL(_ value: Any) -> Bool {
        var pending: [Any] = [value]
        while let next = pending.popLast() {
            switch next {
            case let text as String:
                if text.utf8.contains(0) { return true }
            case let object as [String: Any]:
                for (name, member) in object {
                    if name.utf8.contains(0) { return true }
                    pending.append(member)
                }
            case let array as [Any]:
                pending.append(contentsOf: array)
            default:
                break
            }
        }
        return false
    }

    /// The class Foundation uses for JSON `true`/`false`; `as? Double` alone would
    /// accept them (and `is Bool` accepts 0 and 1).
    private static let booleanClass = ObjectIdentifier(type(of: NSNumber(value: true)))

    /// nil when absent; a finite JSON number when present; malformed otherwise.
    private static func number(_ value: Any?) throws(AuthDenial) -> Double? {
        guard let value else { return nil }
        guard let number = value as? NSNumber, ObjectIdentifier(type(of: number)) != booleanClass,
              number.doubleValue.isFinite else {
            throw .malformedToken
        }
        return number.doubleValue
    }

    /// nil when absent; a JSON string when present; malformed otherwise.
    private static func string(_ value: Any?) throws(AuthDenial) -> String? {
        guard let value else { return nil }
        guard let string = value as? String else { throw .malformedToken }
        return string
    }
}
