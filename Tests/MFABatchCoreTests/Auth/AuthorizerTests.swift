import Foundation
import Testing
@testable import MFABatchCore

private typealias F = AuthFixtures

@Suite("Auth credential resolution and caching")
struct AuthorizerTests {
    private let file = CredentialsFile(entries: ["acme": .apiKey(F.keyARead), "globex": .apiKey(F.keyBWrite)])

    @Test func rowCredentialWinsOverFileAndEnvironment() throws {
        let authorizer = Authorizer(store: F.store(), fallbacks: .init(file: file, environmentAPIKey: F.keyARevoked),
                                    now: { F.now })
        let row = F.row(credential: .apiKey(F.keyAWrite))
        #expect(authorizer.credential(for: row, account: F.accountA) == .apiKey(F.keyAWrite))
        #expect(try authorizer.authorize(row, account: F.accountA).principal != nil)
    }

    @Test func fileEntryWinsOverEnvironment() throws {
        let authorizer = Authorizer(store: F.store(), fallbacks: .init(file: file, environmentAPIKey: F.keyAWrite),
                                    now: { F.now })
        let row = F.row(credential: nil)
        // The file's read-only key is chosen (first found), and it is then refused.
        #expect(try authorizer.authorize(row, account: F.accountA) == .denied(.apiKeyLacksScope))
    }

    @Test func fileEntryBySlugServesARowNamingTheID() throws {
        let authorizer = Authorizer(store: F.store(), fallbacks: .init(file: file), now: { F.now })
        let row = F.row(account: .id(F.accountB.id), credential: nil)
        #expect(authorizer.credential(for: row, account: F.accountB) == .apiKey(F.keyBWrite))
        #expect(try authorizer.authorize(row, account: F.accountB).principal?.accountID == F.accountB.id)
    }

    @Test func fileEntryByIDServesARowNamingTheSlug() throws {
        let byID = CredentialsFile(entries: [F.accountA.id.uuidString.uppercased(): .apiKey(F.keyAWrite)])
        let authorizer = Authorizer(store: F.store(), fallbacks: .init(file: byID), now: { F.now })
        #expect(authorizer.credential(for: F.row(credential: nil), account: F.accountA) == .apiKey(F.keyAWrite))
    }

    @Test func environmentIsTheLastResort() throws {
        let authorizer = Authorizer(store: F.store(), fallbacks: .init(file: file, environment: ["MFA_BATCH_API_KEY": F.keyAWrite]),
                                    now: { F.now })
        let row = F.row(account: .slug("initech"), credential: nil)
        #expect(authorizer.credential(for: row, account: nil) == .apiKey(F.keyAWrite))
    }

    @Test func emptyEnvironmentVariableCountsAsUnset() throws {
        let authorizer = Authorizer(store: F.store(), fallbacks: .init(file: nil, environment: ["MFA_BATCH_API_KEY": ""]),
                                    now: { F.now })
        #expect(try authorizer.authorize(F.row(credential: nil), account: F.accountA) == .denied(.missingCredentials))
    }

    @Test func unknownAccountRevealsNothingAndAsksNothing() throws {
        let store = F.store()
        let authorizer = Authorizer(store: store, now: { F.now })
        let row = F.row(account: .slug("nope-co"), credential: .apiKey(F.keyAWrite))
        #expect(try authorizer.authorize(row, account: nil) == .denied(.unknownAccount(asWritten: "nope-co")))
        #expect(store.apiKeyLookups == 0)
    }

    @Test func tenThousandRowsUnderOneKeyCostOneLookup() throws {
        let store = F.store()
        let authorizer = Authorizer(store: store, now: { F.now })
        for index in 1...10_000 {
            var row = F.row(credential: .apiKey(F.keyAWrite))
            row.row = index
            let account = try authorizer.account(for: row.account)
            #expect(try authorizer.authorize(row, account: account).principal != nil)
        }
        #expect(store.apiKeyLookups == 1)
        #expect(store.accountLookups == 1)
        #expect(store.totalLookups == 2)
    }

    @Test func unknownAccountIsLookedUpOncePerReference() throws {
        let store = F.store()
        let authorizer = Authorizer(store: store, now: { F.now })
        for _ in 1...1_000 { #expect(try authorizer.account(for: .slug("nope-co")) == nil) }
        #expect(try authorizer.account(for: .id(F.accountA.id)) == F.accountA)
        #expect(store.accountLookups == 2)
    }

    @Test func tenThousandRowsUnderOneTokenCostOneLookup() throws {
        let store = F.store()
        let authorizer = Authorizer(store: store, now: { F.now })
        let token = F.validToken()
        for _ in 1...10_000 {
            _ = try authorizer.authorize(F.row(credential: .bearer(token)), account: F.accountA)
        }
        #expect(store.jwtKeyLookups == 1)
    }

    @Test func denialsAreCachedToo() throws {
        let store = F.store()
        let authorizer = Authorizer(store: store, now: { F.now })
        for _ in 1...100 {
            #expect(try authorizer.authorize(F.row(credential: .apiKey(F.keyARevoked)), account: F.accountA)
                    == .denied(.apiKeyRevoked))
        }
        #expect(store.apiKeyLookups == 1)
    }

    @Test func eachCredentialAccountPairIsVerifiedSeparately() throws {
        let store = F.store()
        let authorizer = Authorizer(store: store, now: { F.now })
        #expect(try authorizer.authorize(F.row(credential: .apiKey(F.keyAWrite)), account: F.accountA).principal != nil)
        #expect(try authorizer.authorize(F.row(account: .slug("globex"), credential: .apiKey(F.keyAWrite)), account: F.accountB)
                == .denied(.unknownAccount(asWritten: "globex")))
        #expect(try authorizer.authorize(F.row(credential: .apiKey(F.keyARead)), account: F.accountA)
                == .denied(.apiKeyLacksScope))
        #expect(store.apiKeyLookups == 3)
        #expect(authorizer.cachedDecisionCount == 3)
    }

    /// Issue 11, item 8: a manifest where every row has its own credential must not
    /// grow the cache with its length; decisions stay right past the bound.
    @Test func theDecisionCacheIsBounded() throws {
        let store = F.store()
        let authorizer = Authorizer(store: store, now: { F.now }, decisionCacheLimit: 2)
        let credentials: [(Credential, AuthDecision?)] = [
            (.apiKey(F.keyAWrite), nil), (.apiKey(F.keyARead), .denied(.apiKeyLacksScope)),
            (.apiKey(F.keyARevoked), .denied(.apiKeyRevoked)), (.apiKey(F.keyAExpired), .denied(.apiKeyExpired)),
            (.apiKey("mfab_unknown_key"), .denied(.unknownAccount(asWritten: "acme"))),
        ]
        for _ in 1...3 {
            for (credential, expected) in credentials {
                let decision = try authorizer.authorize(F.row(credential: credential), account: F.accountA)
                if let expected { #expect(decision == expected) } else { #expect(decision.principal != nil) }
                #expect(authorizer.cachedDecisionCount <= 2)
            }
        }
    }

    @Test func sameStringAsKeyAndAsTokenAreDifferentCredentials() throws {
        let store = F.store()
        let authorizer = Authorizer(store: store, now: { F.now })
        #expect(try authorizer.authorize(F.row(credential: .apiKey(F.keyAWrite)), account: F.accountA).principal != nil)
        #expect(try authorizer.authorize(F.row(credential: .bearer(F.keyAWrite)), account: F.accountA)
                == .denied(.malformedToken))
    }

    @Test func clockIsInjected() throws {
        var now = F.now
        let token = F.validToken(exp: String(F.nowSeconds + 100))
        let early = Authorizer(store: F.store(), now: { now })
        #expect(try early.authorize(F.row(credential: .bearer(token)), account: F.accountA).principal != nil)
        now = F.now.addingTimeInterval(200)
        let late = Authorizer(store: F.store(), now: { [now] in now })
        #expect(try late.authorize(F.row(credential: .bearer(token)), account: F.accountA) == .denied(.tokenExpired))
    }

    @Test func diagnosticsNameOnlyTheRowsOwnInput() {
        let row = F.row(account: .slug("nope-co"), user: .all, credential: .apiKey(F.keyAWrite))
        let unknown = AuthDenial.unknownAccount(asWritten: "nope-co").diagnostic(for: row)
        #expect(unknown.field == "account" && unknown.value == "nope-co" && unknown.row == 1 && unknown.line == 2)
        let star = AuthDenial.tokenCannotTargetAll.diagnostic(for: row)
        #expect(star.message == "token without mfa:admin cannot target *" && star.value == "*")
        let revoked = AuthDenial.apiKeyRevoked.diagnostic(for: row)
        #expect(revoked.field == nil && revoked.value == nil && revoked.message == "api key revoked")
    }
}
