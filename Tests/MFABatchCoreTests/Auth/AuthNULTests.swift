import Foundation
import Testing
@testable import MFABatchCore

private typealias F = AuthFixtures

/// A correctly signed token (key `k1` of account A) whose header or payload holds a
/// JSON `\u0000` escape somewhere.
struct NULToken: Sendable, CustomTestStringConvertible {
    var name: String
    var header: String = F.header()
    var payload: String = F.payload()
    var testDescription: String { name }

    var token: String { F.token(header: header, payload: payload, secret: F.secretA) }
}

private let nulTokens: [NULToken] = [
    NULToken(name: "kid", header: F.header(kid: #"k1\u0000"#)),
    NULToken(name: "kid that is only a NUL", header: F.header(kid: #"\u0000"#)),
    NULToken(name: "alg", header: F.header(alg: #"HS256\u0000"#)),
    NULToken(name: "typ", header: #"{"alg":"HS256","typ":"JWT\u0000","kid":"k1"}"#),
    NULToken(name: "header member name", header: #"{"alg":"HS256","kid":"k1","x\u0000":1}"#),
    NULToken(name: "sub of an admin token", payload: F.payload(sub: #"svc\u0000"#)),
    NULToken(name: "sub of a user token", payload: F.payload(sub: F.userA1.uuidString.lowercased() + #"\u0000"#,
                                                             scope: "mfa:write")),
    NULToken(name: "acct", payload: F.payload(acct: F.accountA.id.uuidString.lowercased() + #"\u0000"#)),
    NULToken(name: "scope", payload: F.payload(scope: #"mfa:admin\u0000"#)),
    NULToken(name: "payload member name", payload: #"{"acct":"\#(F.accountA.id.uuidString)","sub":"svc","scope":"mfa:admin","#
                 + #""exp":\#(F.nowSeconds + 3600),"\u0000":true}"#),
    NULToken(name: "string nested in an array", payload: #"{"acct":"\#(F.accountA.id.uuidString)","sub":"svc","#
                 + #""scope":"mfa:admin","exp":\#(F.nowSeconds + 3600),"aud":["api",{"x":"\u0000"}]}"#),
]

/// Issue 11, item 2: a NUL in a token or key is refused before anything reaches the
/// database (whose text cannot hold one: the lookup of such a `kid`, or the
/// `principal` of such a `sub`, used to stop the run with SQLSTATE 22021).
@Suite("Auth NUL characters")
struct AuthNULTests {
    @Test("a token with a NUL in its header or payload is malformed", arguments: nulTokens)
    func tokenIsMalformed(_ nulToken: NULToken) throws {
        let store = F.store()
        let authorizer = Authorizer(store: store, now: { F.now })
        let row = F.row(credential: .bearer(nulToken.token))
        #expect(try authorizer.authorize(row, account: F.accountA) == .denied(.malformedToken))
        #expect(store.jwtKeyLookups == 0)
        // Also for an account that does not exist (the token is parsed there too).
        #expect(try authorizer.authorize(F.row(account: .slug("nope-co"), credential: .bearer(nulToken.token)),
                                         account: nil) == .denied(.malformedToken))
    }

    /// The same tokens without the NUL are accepted: the refusal is the NUL's.
    @Test func theSameTokensWithoutTheNULAreGranted() throws {
        let authorizer = Authorizer(store: F.store(), now: { F.now })
        for nulToken in nulTokens where nulToken.name != "kid that is only a NUL" {
            var clean = nulToken
            clean.header = clean.header.replacingOccurrences(of: #"\u0000"#, with: "")
            clean.payload = clean.payload.replacingOccurrences(of: #"\u0000"#, with: "")
            let decision = try authorizer.authorize(F.row(credential: .bearer(clean.token)), account: F.accountA)
            #expect(decision.principal != nil, "\(nulToken.name): \(decision)")
        }
    }

    @Test(arguments: [
        (#"{"acme": {"api_key": "mfab_0123abcd_SECRETSECRET\u0000x"}}"#, #"entry "acme" "api_key" contains a NUL character"#),
        (#"{"acme": {"api_key": "\u0000"}}"#, #"entry "acme" "api_key" contains a NUL character"#),
        (#"{"acme": {"bearer": "Bearer eyJSECRETSECRET\u0000.eyJ.x"}}"#, #"entry "acme" "bearer" contains a NUL character"#),
        (#"{"ac\u0000me": {"api_key": "SECRETSECRET"}}"#, #"entry "ac\u0000me" is not an account id (UUID) or slug"#),
        (#"{"acme": {"api_key\u0000": "SECRETSECRET"}}"#, #"entry "acme" has unknown field "api_key\u0000""#),
    ])
    func credentialsFileWithANULIsRefusedNamingTheEntry(json: String, expected: String) {
        let path = "/etc/mfa/creds.json"
        #expect {
            try CredentialsFile.parse(Data(json.utf8), path: path)
        } throws: { error in
            let text = "\(error)"
            return text.contains(expected) && text.contains(path) && !text.contains("SECRETSECRET")
                && !text.utf8.contains(0)
        }
    }
}
