import Foundation
import Testing
@testable import MFABatchCore

/// One hostile or broken credential and the exact denial it must get.
struct AttackCase: Sendable, CustomTestStringConvertible {
    var name: String
    var credential: Credential?
    var account: AccountRef = .slug("acme")
    var user: UserSelector = .id(AuthFixtures.userA1)
    var expected: AuthDenial
    var testDescription: String { name }
}

private typealias F = AuthFixtures

/// Replaces segment `index` of a valid token.
private func replacing(segment index: Int, of token: String, with value: String) -> String {
    var parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    parts[index] = value
    return parts.joined(separator: ".")
}

/// The valid token's signature with its first character changed (different bytes).
private func tamperedSignature() -> String {
    let token = F.validToken()
    let signature = String(token.split(separator: ".")[2])
    let first = signature.first == "A" ? "B" : "A"
    return replacing(segment: 2, of: token, with: first + signature.dropFirst())
}

/// The valid token's signature with a non-zero unused bit in its last character:
/// the same 32 bytes under a lenient decoder, a different string.
private func nonCanonicalSignature() -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    let token = F.validToken()
    var signature = Array(String(token.split(separator: ".")[2]))
    let value = alphabet.firstIndex(of: signature[signature.count - 1])!
    signature[signature.count - 1] = alphabet[value ^ 1]
    return replacing(segment: 2, of: token, with: String(signature))
}

private let attackCorpus: [AttackCase] = [
    // Algorithms
    AttackCase(name: "alg none", credential: .bearer(F.token(header: F.header(alg: "none"), payload: F.payload(), secret: nil)),
               expected: .unsupportedAlgorithm),
    AttackCase(name: "alg none without kid",
               credential: .bearer(F.token(header: #"{"alg":"none"}"#, payload: F.payload(), secret: nil)),
               expected: .unsupportedAlgorithm),
    AttackCase(name: "alg HS512", credential: .bearer(F.token(header: F.header(alg: "HS512"), payload: F.payload(), secret: F.secretA)),
               expected: .unsupportedAlgorithm),
    AttackCase(name: "alg RS256 signed with the HMAC secret as public key",
               credential: .bearer(F.token(header: F.header(alg: "RS256"), payload: F.payload(), secret: F.secretA)),
               expected: .unsupportedAlgorithm),
    AttackCase(name: "alg hs256 (wrong case)",
               credential: .bearer(F.token(header: F.header(alg: "hs256"), payload: F.payload(), secret: F.secretA)),
               expected: .unsupportedAlgorithm),
    // Keys
    AttackCase(name: "unknown kid", credential: .bearer(F.token(header: F.header(kid: "nope"), payload: F.payload(), secret: F.secretA)),
               expected: .unknownTokenKey),
    AttackCase(name: "another tenant's kid",
               credential: .bearer(F.token(header: F.header(kid: "kb"), payload: F.payload(), secret: F.secretB)),
               expected: .unknownTokenKey),
    AttackCase(name: "revoked kid", credential: .bearer(F.token(header: F.header(kid: "old"), payload: F.payload(), secret: F.secretAOld)),
               expected: .tokenKeyRevoked),
    // Integrity
    AttackCase(name: "tampered header",
               credential: .bearer(replacing(segment: 0, of: F.validToken(),
                                             with: F.base64url(#"{"alg":"HS256","typ":"JOSE","kid":"k1"}"#))),
               expected: .tokenSignatureInvalid),
    AttackCase(name: "tampered payload",
               credential: .bearer(replacing(segment: 1, of: F.validToken(scope: "mfa:write"),
                                             with: F.base64url(F.payload(scope: "mfa:admin")))),
               expected: .tokenSignatureInvalid),
    AttackCase(name: "tampered signature", credential: .bearer(tamperedSignature()), expected: .tokenSignatureInvalid),
    AttackCase(name: "signature signed with the wrong secret",
               credential: .bearer(F.token(header: F.header(), payload: F.payload(), secret: F.secretB)),
               expected: .tokenSignatureInvalid),
    AttackCase(name: "empty signature", credential: .bearer(F.token(header: F.header(), payload: F.payload(), secret: nil)),
               expected: .tokenSignatureInvalid),
    AttackCase(name: "non-canonical signature encoding", credential: .bearer(nonCanonicalSignature()), expected: .malformedToken),
    // Time
    AttackCase(name: "expired", credential: .bearer(F.validToken(exp: String(F.nowSeconds - 3600))), expected: .tokenExpired),
    AttackCase(name: "expired 90 s ago (beyond leeway)", credential: .bearer(F.validToken(exp: String(F.nowSeconds - 90))),
               expected: .tokenExpired),
    AttackCase(name: "nbf in the future", credential: .bearer(F.validToken(nbf: String(F.nowSeconds + 120))),
               expected: .tokenNotYetValid),
    AttackCase(name: "no exp", credential: .bearer(F.validToken(exp: nil)), expected: .tokenHasNoExp),
    AttackCase(name: "exp true (boolean, not a number)", credential: .bearer(F.validToken(exp: "true")), expected: .malformedToken),
    AttackCase(name: "exp as a string", credential: .bearer(F.validToken(exp: #""1900000000""#)), expected: .malformedToken),
    AttackCase(name: "exp null", credential: .bearer(F.validToken(exp: "null")), expected: .malformedToken),
    // Claims
    AttackCase(name: "wrong acct",
               credential: .bearer(F.token(header: F.header(), payload: F.payload(acct: F.accountB.id.uuidString), secret: F.secretA)),
               expected: .tokenAccountMismatch),
    AttackCase(name: "no acct", credential: .bearer(F.token(header: F.header(), payload: F.payload(acct: nil), secret: F.secretA)),
               expected: .tokenAccountMismatch),
    AttackCase(name: "user token whose sub is not a user id",
               credential: .bearer(F.token(header: F.header(), payload: F.payload(sub: "alice", scope: "mfa:write"), secret: F.secretA)),
               expected: .malformedToken),
    AttackCase(name: "user token on another user", credential: .bearer(F.validToken(scope: "mfa:write openid")),
               user: .id(F.userA2), expected: .tokenOtherUser),
    AttackCase(name: "user token on *", credential: .bearer(F.validToken(scope: "mfa:write")), user: .all,
               expected: .tokenCannotTargetAll),
    AttackCase(name: "token with scope mfa:administrator is not admin", credential: .bearer(F.validToken(scope: "mfa:administrator")),
               user: .all, expected: .tokenCannotTargetAll),
    // Structure
    AttackCase(name: "two segments", credential: .bearer(F.base64url(F.header()) + "." + F.base64url(F.payload())),
               expected: .malformedToken),
    AttackCase(name: "four segments", credential: .bearer(F.validToken() + ".AAAA"), expected: .malformedToken),
    AttackCase(name: "bad base64url (+ and /)",
               credential: .bearer(replacing(segment: 1, of: F.validToken(), with: "eyJ+/w")), expected: .malformedToken),
    AttackCase(name: "base64url with padding",
               credential: .bearer(replacing(segment: 0, of: F.validToken(), with: F.base64url(F.header()) + "=")),
               expected: .malformedToken),
    AttackCase(name: "header is a JSON array", credential: .bearer(F.token(header: "[1]", payload: F.payload(), secret: F.secretA)),
               expected: .malformedToken),
    AttackCase(name: "payload is not JSON", credential: .bearer(F.token(header: F.header(), payload: "hello", secret: F.secretA)),
               expected: .malformedToken),
    AttackCase(name: "header without kid", credential: .bearer(F.token(header: #"{"alg":"HS256"}"#, payload: F.payload(), secret: F.secretA)),
               expected: .malformedToken),
    AttackCase(name: "header with crit",
               credential: .bearer(F.token(header: #"{"alg":"HS256","kid":"k1","crit":["exp"]}"#, payload: F.payload(), secret: F.secretA)),
               expected: .malformedToken),
    AttackCase(name: "a 1 MB token (validly signed)",
               credential: .bearer(F.token(header: F.header(),
                                           payload: #"{"exp":1900000000,"pad":""# + String(repeating: "a", count: 1 << 20) + #""}"#,
                                           secret: F.secretA)),
               expected: .malformedToken),
    AttackCase(name: "empty token", credential: .bearer(""), expected: .malformedToken),
    // API keys
    AttackCase(name: "unknown api key", credential: .apiKey("mfab_12345678_unknownunknownunknownunknownunknownunknown1"),
               expected: .unknownAPIKey),
    AttackCase(name: "empty api key", credential: .apiKey(""), expected: .unknownAPIKey),
    AttackCase(name: "revoked api key", credential: .apiKey(F.keyARevoked), expected: .apiKeyRevoked),
    AttackCase(name: "expired api key", credential: .apiKey(F.keyAExpired), expected: .apiKeyExpired),
    AttackCase(name: "other tenant's api key", credential: .apiKey(F.keyBWrite), expected: .apiKeyOtherAccount),
    AttackCase(name: "api key with scope mfa:read only", credential: .apiKey(F.keyARead), expected: .apiKeyLacksScope),
    AttackCase(name: "a token given as an api key", credential: .apiKey(F.validToken()), expected: .unknownAPIKey),
    // Accounts and absence
    AttackCase(name: "no credential anywhere", credential: nil, expected: .missingCredentials),
    AttackCase(name: "unknown account (slug)", credential: .apiKey(F.keyAWrite), account: .slug("nope-co"),
               expected: .unknownAccount(asWritten: "nope-co")),
    AttackCase(name: "unknown account (id)", credential: .bearer(F.validToken()),
               account: .id(UUID(uuidString: "ffffffff-0000-4000-8000-0000000000ff")!),
               expected: .unknownAccount(asWritten: "ffffffff-0000-4000-8000-0000000000ff")),
]

/// Runs step 2 and, when granted, the user restriction (the resolved user being
/// the one the row names by id), as the engine will.
func decide(_ row: CheckedRow, store: FakeCredentialStore = F.store()) throws -> (AuthDecision, AuthDenial?) {
    let authorizer = Authorizer(store: store, now: { F.now })
    let account = try authorizer.account(for: row.account)
    let decision = try authorizer.authorize(row, account: account)
    guard case .granted(let principal) = decision else { return (decision, decision.denial) }
    var resolved: UUID?
    if case .id(let id) = row.user { resolved = id }
    return (decision, authorizer.checkUser(principal: principal, row: row, resolvedUserID: resolved))
}

@Suite("Auth attack corpus")
struct AuthAttackCorpusTests {
    @Test("denied with its exact reason", arguments: attackCorpus)
    func denied(_ attack: AttackCase) throws {
        let row = F.row(account: attack.account, user: attack.user, credential: attack.credential)
        let (_, denial) = try decide(row)
        // What the caller sees: a credential that proves nothing about the account is
        // reported exactly like an unknown account (no tenant's existence leaks).
        let shown = attack.expected.provesNothingAboutAccount
            ? AuthDenial.unknownAccount(asWritten: row.account.description) : attack.expected
        #expect(denial == shown)
        // The row's text never echoes the credential.
        let diagnostic = try #require(denial).diagnostic(for: row)
        switch attack.credential {
        case .apiKey(let key) where !key.isEmpty:
            #expect(!diagnostic.message.contains(key))
            #expect(!"\(attack.credential!)".contains(key))
        case .bearer(let token) where !token.isEmpty:
            #expect(!diagnostic.message.contains(token.prefix(20)))
        default:
            break
        }
    }

    @Test func corpusReasonsAreDistinct() {
        let all: [AuthDenial] = [.missingCredentials, .unknownAPIKey, .apiKeyRevoked, .apiKeyExpired, .apiKeyOtherAccount,
                                 .apiKeyLacksScope, .malformedToken, .unsupportedAlgorithm, .unknownTokenKey, .tokenKeyRevoked,
                                 .tokenSignatureInvalid, .tokenExpired, .tokenNotYetValid, .tokenHasNoExp,
                                 .tokenAccountMismatch, .unknownAccount(asWritten: "x"), .tokenOtherUser, .tokenCannotTargetAll]
        #expect(Set(all.map(\.message)).count == all.count)
        #expect(Set(all.map(\.reason)).count == all.count)
        #expect(AuthDenial.unknownAccount(asWritten: "acme-2").message == "credential not valid for account acme-2")
        #expect(AuthDenial.apiKeyLacksScope.message == "api key lacks scope mfa:write")
    }
}
