import Foundation
import Postgres
import Testing
@testable import MFABatchCore

/// PRODUCT.md §2 "Order of checks for a row": resolution, policy, and the order
/// schema 400 → credential 401 → resolution 400.
@Suite("Engine row checks")
struct EngineRowChecksTests {
    @Test func starMatchesOnlyLiveUsersAndNamedUsersMustExistAndBeLive() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            let alice = try f.user(acme, "Alice@Acme.COM")
            let bob = try f.user(acme, "bob@acme.com")
            let dave = try f.user(acme, "dave@acme.com", deleted: true)
            let key = try f.apiKey(acme)

            let report = try f.run(JSONL.lines(
                #"{"account": "acme", "user": "*", "passkey_enabled": true}"#,
                #"{"account": "acme", "user": "alice@acme.com", "totp_enabled": true}"#,
                #"{"account": "acme", "user": "nobody@acme.com", "totp_enabled": true}"#,
                #"{"account": "acme", "user": "\#(dave.uuidString.lowercased())", "totp_enabled": true}"#,
                #"{"account": "acme", "user": "dave@acme.com", "totp_enabled": true}"#,
                #"{"account": "acme", "user": "\#(UUID().uuidString.lowercased())", "totp_enabled": true}"#
            ), partial: true, apiKey: key.key)

            #expect(report.outcomes == ["changed 200", "changed 200", "invalid 400", "invalid 400", "invalid 400", "invalid 400"])
            #expect(report.matched(1) == 2)
            #expect(report.changed(1) == 2)
            #expect(report.matched(2) == 1)
            #expect(report.error(3).contains("nobody@acme.com"))
            #expect(report.error(3).contains("not found"))
            #expect(report.error(4).contains("deleted"))
            #expect(report.error(5).contains("deleted"))
            #expect(report.error(6).contains("not found"))
            for n in 3...6 { #expect(report.isNull(n, "users_changed"), "row \(n)") }
            #expect(try f.state(alice) == ["t", "t"])
            #expect(try f.state(bob) == ["f", "t"])
            #expect(try f.state(dave) == ["f", "f"])
            #expect(Set(try f.auditRows().map(\.user)) == [alice, bob])
        }
    }

    @Test func mfaRequiredRefusesARowThatStripsAUsersLastFactor() throws {
        try EngineFixture.with { f in
            let strict = try f.account("strict", mfaRequired: true)
            let alice = try f.user(strict, "alice@strict.com", totp: true)
            let bob = try f.user(strict, "bob@strict.com")
            let carol = try f.user(strict, "carol@strict.com", totp: true, passkey: true)
            let dan = try f.user(strict, "dan@strict.com", passkey: true)
            let key = try f.apiKey(strict)

            let report = try f.run(JSONL.lines(
                // alice would be left with neither factor.
                #"{"account": "strict", "user": "alice@strict.com", "totp_enabled": false}"#,
                // bob has none already and does not change: not this row's doing.
                #"{"account": "strict", "user": "bob@strict.com", "totp_enabled": false}"#,
                // carol keeps her passkey.
                #"{"account": "strict", "user": "carol@strict.com", "totp_enabled": false}"#,
                // dan swaps his passkey for TOTP: ends with a factor.
                #"{"account": "strict", "user": "dan@strict.com", "totp_enabled": true, "passkey_enabled": false}"#
            ), partial: true, apiKey: key.key)

            #expect(report.outcomes == ["invalid 400", "unchanged 200", "changed 200", "changed 200"])
            #expect(report.error(1).contains("alice@strict.com"))
            #expect(report.error(1).contains("MFA"))
            #expect(try f.state(alice) == ["t", "f"])
            #expect(try f.state(bob) == ["f", "f"])
            #expect(try f.state(carol) == ["f", "t"])
            #expect(try f.state(dan) == ["t", "f"])
            #expect(Set(try f.auditRows().map(\.user)) == [carol, dan])
        }
    }

    @Test func mfaRequiredStarRowIsNotBlamedForUsersWhoAlreadyHaveNoFactor() throws {
        try EngineFixture.with { f in
            let strict = try f.account("strict", mfaRequired: true)
            let none = try f.user(strict, "none@strict.com")
            let both = try f.user(strict, "both@strict.com", totp: true, passkey: true)
            let key = try f.apiKey(strict)

            let report = try f.run(JSONL.lines(
                #"{"account": "strict", "user": "*", "totp_enabled": false}"#
            ), apiKey: key.key)

            #expect(report.outcomes == ["changed 200"])
            #expect(report.matched(1) == 2)
            #expect(report.changed(1) == 1)
            #expect(try f.state(none) == ["f", "f"])
            #expect(try f.state(both) == ["f", "t"])
        }
    }

    @Test func mfaRequiredCountsTheCombinedEffectOfAStarRowAndANamedRow() throws {
        try EngineFixture.with { f in
            let strict = try f.account("strict", mfaRequired: true)
            let alice = try f.user(strict, "alice@strict.com", totp: true, passkey: true)
            let key = try f.apiKey(strict)

            // Each row alone leaves alice a factor; together they leave her none.
            let report = try f.run(JSONL.lines(
                #"{"account": "strict", "user": "*", "passkey_enabled": false}"#,
                #"{"account": "strict", "user": "alice@strict.com", "totp_enabled": false}"#
            ), apiKey: key.key)

            #expect(report.rows.allSatisfy { ($0["code"] as? Int) == 400 || ($0["status"] as? String) == "not_applied" })
            #expect(report.rows.contains { ($0["code"] as? Int) == 400 })
            #expect(try f.state(alice) == ["t", "t"])
            #expect(try f.auditCount() == 0)
        }
    }

    @Test func schemaBeforeCredentialBeforeResolution() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            let globex = try f.account("globex")
            let alice = try f.user(acme, "alice@acme.com")
            let valid = try f.apiKey(acme)
            let revoked = try f.apiKey(acme, revoked: true)
            let expired = try f.apiKey(acme, expired: true)
            let readOnly = try f.apiKey(acme, scopes: ["mfa:read"])
            let globexKey = try f.apiKey(globex)
            let unknownAccountID = UUID().uuidString.lowercased()

            // No MFA_BATCH_API_KEY: rows carry their own credentials or none.
            let report = try f.run(JSONL.lines(
                // 1: bad boolean and no credential → schema first.
                #"{"account": "acme", "user": "alice@acme.com", "totp_enabled": "true"}"#,
                // 2: revoked key naming a user that does not exist → credential first.
                #"{"account": "acme", "user": "nobody@acme.com", "totp_enabled": true, "api_key": "\#(revoked.key)"}"#,
                // 3: unknown account with a valid key of another account.
                #"{"account": "nope", "user": "x@nope.com", "totp_enabled": true, "api_key": "\#(valid.key)"}"#,
                // 4: valid key, user not found → resolution 400.
                #"{"account": "acme", "user": "nobody@acme.com", "totp_enabled": true, "api_key": "\#(valid.key)"}"#,
                // 5: no credential at all.
                #"{"account": "acme", "user": "alice@acme.com", "totp_enabled": true}"#,
                // 6: unknown account named by id, bad boolean → still schema first.
                #"{"account": "\#(unknownAccountID)", "user": "x@nope.com", "totp_enabled": 1, "api_key": "\#(valid.key)"}"#,
                // 7: unknown account named by id, well-formed.
                #"{"account": "\#(unknownAccountID)", "user": "x@nope.com", "totp_enabled": true, "api_key": "\#(valid.key)"}"#,
                // 8–10: expired, read-only, another account's key; user id that does not exist.
                #"{"account": "acme", "user": "\#(UUID().uuidString)", "totp_enabled": true, "api_key": "\#(expired.key)"}"#,
                #"{"account": "acme", "user": "\#(UUID().uuidString)", "totp_enabled": true, "api_key": "\#(readOnly.key)"}"#,
                #"{"account": "acme", "user": "\#(UUID().uuidString)", "totp_enabled": true, "api_key": "\#(globexKey.key)"}"#,
                // 11: unknown field with a valid key → 400.
                #"{"account": "acme", "user": "alice@acme.com", "totp_enabled": true, "api_key": "\#(valid.key)", "sms": true}"#,
                // 12: the one good row.
                #"{"account": "acme", "user": "alice@acme.com", "totp_enabled": true, "api_key": "\#(valid.key)"}"#
            ), partial: true)

            #expect(report.outcomes == [
                "invalid 400", "unauthorized 401", "unauthorized 401", "invalid 400", "unauthorized 401",
                "invalid 400", "unauthorized 401", "unauthorized 401", "unauthorized 401", "unauthorized 401",
                "invalid 400", "changed 200",
            ])
            #expect(report.error(2).contains("revoked"))
            #expect(report.error(3) == "credential not valid for account nope")
            #expect(report.error(4).contains("not found"))
            #expect(report.error(7) == "credential not valid for account \(unknownAccountID)")
            for n in [2, 3, 5, 7, 8, 9, 10] { #expect(report.isNull(n, "users_matched"), "row \(n)") }
            // Nothing in the report is a credential.
            let text = String(decoding: try JSONSerialization.data(withJSONObject: report.json), as: UTF8.self)
            for secret in [valid.key, revoked.key, expired.key, readOnly.key, globexKey.key] {
                #expect(!text.contains(secret))
            }
            #expect(try f.state(alice) == ["t", "f"])
            #expect(try f.auditRows().map(\.manifestRow) == [12])
        }
    }
}
