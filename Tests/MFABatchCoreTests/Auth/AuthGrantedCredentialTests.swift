import Foundation
import Testing
@testable import MFABatchCore

private typealias F = AuthFixtures

@Suite("Auth granted credentials")
struct AuthGrantedCredentialTests {
    @Test func validAPIKeyIsGrantedAsItsKeyID() throws {
        let (decision, restriction) = try decide(F.row(credential: .apiKey(F.keyAWrite)))
        let principal = try #require(decision.principal)
        #expect(principal.credentialID == "api_key:a0000000-0000-4000-8000-000000000001")
        #expect(principal.accountID == F.accountA.id)
        #expect(principal.restrictedToUser == nil)
        #expect(restriction == nil)
    }

    @Test func validAPIKeyMayTargetEveryone() throws {
        let (decision, restriction) = try decide(F.row(user: .all, credential: .apiKey(F.keyAWrite)))
        #expect(decision.principal != nil)
        #expect(restriction == nil)
    }

    @Test func validAdminTokenOnStar() throws {
        let (decision, restriction) = try decide(F.row(user: .all, credential: .bearer(F.validToken(scope: "openid mfa:admin"))))
        let principal = try #require(decision.principal)
        #expect(principal.credentialID == "jwt:k1:\(F.userA1.uuidString.lowercased())")
        #expect(principal.restrictedToUser == nil)
        #expect(restriction == nil)
    }

    @Test func validUserTokenOnItsOwnUser() throws {
        let (decision, restriction) = try decide(F.row(user: .id(F.userA1), credential: .bearer(F.validToken(scope: "mfa:write"))))
        #expect(decision.principal?.restrictedToUser == F.userA1)
        #expect(restriction == nil)
    }

    @Test func userTokenWithoutScopeClaimIsRestricted() throws {
        let token = F.token(header: F.header(), payload: F.payload(scope: nil), secret: F.secretA)
        let (decision, restriction) = try decide(F.row(credential: .bearer(token)))
        #expect(decision.principal?.restrictedToUser == F.userA1)
        #expect(restriction == nil)
    }

    @Test func userTokenOnItsOwnUserNamedByEmail() throws {
        let authorizer = Authorizer(store: F.store(), now: { F.now })
        let row = F.row(user: .email("me@acme.com"), credential: .bearer(F.validToken(scope: "mfa:write")))
        let principal = try #require(try authorizer.authorize(row, account: F.accountA).principal)
        #expect(authorizer.checkUser(principal: principal, row: row, resolvedUserID: F.userA1) == nil)
        #expect(authorizer.checkUser(principal: principal, row: row, resolvedUserID: F.userA2) == .tokenOtherUser)
        // An email that does not exist is a 401 for a user token, not a 400.
        #expect(authorizer.checkUser(principal: principal, row: row, resolvedUserID: nil) == .tokenOtherUser)
    }

    @Test func userTokenOnItsOwnIDIsLeftToResolution() throws {
        let authorizer = Authorizer(store: F.store(), now: { F.now })
        let own = F.row(user: .id(F.userA1), credential: .bearer(F.validToken(scope: "mfa:write")))
        let principal = try #require(try authorizer.authorize(own, account: F.accountA).principal)
        #expect(authorizer.checkUser(principal: principal, row: own, resolvedUserID: nil) == nil)
        let other = F.row(user: .id(F.userA2), credential: own.credential)
        #expect(authorizer.checkUser(principal: principal, row: other, resolvedUserID: nil) == .tokenOtherUser)
        #expect(authorizer.checkUser(principal: principal, row: other, resolvedUserID: F.userA2) == .tokenOtherUser)
    }

    @Test func adminTokenAndAPIKeysAreUnrestricted() throws {
        let authorizer = Authorizer(store: F.store(), now: { F.now })
        for credential in [Credential.bearer(F.validToken()), .apiKey(F.keyAWrite)] {
            let row = F.row(user: .email("x@acme.com"), credential: credential)
            let principal = try #require(try authorizer.authorize(row, account: F.accountA).principal)
            #expect(authorizer.checkUser(principal: principal, row: row, resolvedUserID: nil) == nil)
            #expect(authorizer.checkUser(principal: principal, row: F.row(user: .all, credential: credential),
                                         resolvedUserID: nil) == nil)
        }
    }

    @Test func accountNamedByIDAndAcctInUpperCase() throws {
        let payload = F.payload(acct: F.accountA.id.uuidString.uppercased())
        let token = F.token(header: F.header(), payload: payload, secret: F.secretA)
        let (decision, _) = try decide(F.row(account: .id(F.accountA.id), credential: .bearer(token)))
        #expect(decision.principal != nil)
    }

    @Test("exp within the 60 s leeway is valid, beyond it is not",
          arguments: [(-30, true), (-59, true), (-60, false), (-90, false), (1, true)])
    func expLeeway(offset: Int, valid: Bool) throws {
        let (decision, _) = try decide(F.row(credential: .bearer(F.validToken(exp: String(F.nowSeconds + offset)))))
        #expect(decision.denial == (valid ? nil : .tokenExpired))
    }

    @Test("nbf within the 60 s leeway is valid, beyond it is not",
          arguments: [(30, true), (60, true), (61, false), (-3600, true)])
    func nbfLeeway(offset: Int, valid: Bool) throws {
        let (decision, _) = try decide(F.row(credential: .bearer(F.validToken(nbf: String(F.nowSeconds + offset)))))
        #expect(decision.denial == (valid ? nil : .tokenNotYetValid))
    }

    @Test func fractionalExpIsANumber() throws {
        let (decision, _) = try decide(F.row(credential: .bearer(F.validToken(exp: "\(F.nowSeconds + 10).5"))))
        #expect(decision.principal != nil)
    }

    @Test func apiKeyExpiringExactlyNowHasExpired() throws {
        let store = F.store()
        let key = "mfab_0000000f_boundary-key-ffffffffffffffffffffffffffffffffff"
        store.apiKeys[APIKeyFormat.hash(of: key)] = [
            StoredAPIKey(accountID: F.accountA.id, id: UUID(), scopes: ["mfa:write"], expiresAt: F.now, revokedAt: nil),
        ]
        let (decision, _) = try decide(F.row(credential: .apiKey(key)), store: store)
        #expect(decision.denial == .apiKeyExpired)
    }
}
