import Crypto
import Foundation
import Testing
@testable import MFABatchCore

private typealias F = AuthFixtures

/// Issue 12, item 9: a token's header and payload are strict RFC 8259 UTF-8 JSON,
/// and a `Bearer` value that is not a well-formed JWT is a 401 "malformed token",
/// step 2 of the contract's order of checks, not a 400.
@Suite struct JWTStrictnessTests {
    /// A correctly signed token over these exact header and payload bytes.
    static func token(header: [UInt8], payload: [UInt8], secret: [UInt8] = F.secretA) -> String {
        let input = F.base64url(header) + "." + F.base64url(payload)
        return input + "." + F.base64url(Crypto.hmacSHA256(key: secret, message: Array(input.utf8)))
    }

    static func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func utf16(_ text: String) -> [UInt8] {
        text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }

    static let header = F.header()
    static let payload = F.payload()

    static let malformed: [(String, String)] = [
        ("header with a trailing comma", token(header: utf8(#"{"alg":"HS256","kid":"k1",}"#), payload: utf8(payload))),
        ("payload with a trailing comma", token(header: utf8(header), payload: utf8(String(payload.dropLast()) + ",}"))),
        ("header in UTF-16", token(header: utf16(header), payload: utf8(payload))),
        ("payload in UTF-16 with its byte order mark", token(header: utf8(header), payload: [0xFF, 0xFE] + utf16(payload))),
        ("header with a UTF-8 byte order mark", token(header: [0xEF, 0xBB, 0xBF] + utf8(header), payload: utf8(payload))),
        // JSONSerialization kept the last `alg`: `none` first, HS256 last, verified.
        ("alg given twice", token(header: utf8(#"{"alg":"none","alg":"HS256","kid":"k1"}"#), payload: utf8(payload))),
        ("sub given twice", token(header: utf8(header),
                                  payload: utf8(String(payload.dropLast()) + #","sub":"\#(F.userA2.uuidString.lowercased())"}"#))),
        ("exp beyond a double", token(header: utf8(header), payload: utf8(F.payload(exp: "1e999")))),
        ("a comment in the header", token(header: utf8(#"{"alg":"HS256",/*x*/"kid":"k1"}"#), payload: utf8(payload))),
        ("single quotes", token(header: utf8(#"{'alg':'HS256','kid':'k1'}"#), payload: utf8(payload))),
    ]

    @Test(arguments: malformed.map(\.0))
    func notStrictJSONIsAMalformedToken(name: String) throws {
        let token = try #require(Self.malformed.first { $0.0 == name }?.1)
        let (_, denial) = try decide(F.row(credential: .bearer(token)))
        #expect(denial == .malformedToken)
    }

    /// The same claims, written strictly, verify (the corpus is not malformed by accident).
    @Test func theStrictFormVerifies() throws {
        let (decision, denial) = try decide(F.row(credential: .bearer(Self.token(header: Self.utf8(Self.header),
                                                                                 payload: Self.utf8(Self.payload)))))
        #expect(denial == nil)
        if case .granted = decision {} else { Issue.record("not granted: \(decision)") }
    }

    /// What the schema check used to refuse as 400 reaches the credential check.
    @Test(arguments: ["Bearer", "Bearer ", "Bearer secret-token", "Bearer a.b", "Bearer a.b.c.d", "Bearer a!.b.c",
                      "Bearer eyJh.eyJz.c2ln=", "Bearer eyJ+.eyJ/.c2ln", "Bearer eyJh .eyJz.c2ln", "bearer\teyJh.eyJz.c2ln ",
                      "Bearer \(F.validToken())=", "Bearer \(F.validToken()) "])
    func aBearerValueThatIsNotAJWTIsUnauthorized(text: String) throws {
        let validator = RowValidator(schema: .bundled, format: .json)
        let raw = RawRow(row: 1, line: 1, fields: [
            RawField(name: "account", value: .string("acme")), RawField(name: "user", value: .string(F.userA1.uuidString)),
            RawField(name: "totp_enabled", value: .bool(true)), RawField(name: "authorization", value: .string(text)),
        ])
        guard case .success(let row) = validator.check(raw) else {
            Issue.record("refused by the schema check (400): \(text)")
            return
        }
        let (_, denial) = try decide(row)
        #expect(denial == .malformedToken, "\(text)")
        #expect(denial?.diagnostic(for: row).message == "malformed token")
    }
}
