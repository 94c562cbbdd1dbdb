import Foundation
import Postgres
import Testing
@testable import MFABatchCore

/// JWT bearer rows end to end (PRODUCT.md §2 "Credentials"): a token without
/// `mfa:admin` may change only its `sub` user, never a `*` row.
@Suite("Engine bearer tokens")
struct EngineBearerTests {
    private let secret = Array("engine-test-hs256-secret-0123456789abcdef".utf8)

    @Test func aUserTokenChangesOnlyItsOwnUser() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            let alice = try f.user(acme, "Alice@acme.com")
            let bob = try f.user(acme, "bob@acme.com")
            try f.jwtKey(acme, kid: "k1", secret: secret)
            let token = EngineFixture.hs256(kid: "k1", secret: secret, account: acme, subject: alice, scope: "mfa:write")
            let bearer = "Bearer " + token

            let report = try f.run(JSONL.lines(
                #"{"account": "acme", "user": "alice@ACME.com", "totp_enabled": true, "authorization": "\#(bearer)"}"#,
                #"{"account": "acme", "user": "\#(alice.uuidString)", "passkey_enabled": true, "authorization": "\#(bearer)"}"#,
                #"{"account": "acme", "user": "bob@acme.com", "totp_enabled": true, "authorization": "\#(bearer)"}"#,
                #"{"account": "acme", "user": "\#(bob.uuidString.lowercased())", "totp_enabled": true, "authorization": "\#(bearer)"}"#,
                #"{"account": "acme", "user": "*", "totp_enabled": true, "authorization": "\#(bearer)"}"#,
                #"{"account": "acme", "user": "nobody@acme.com", "totp_enabled": true, "authorization": "\#(bearer)"}"#
            ), partial: true)

            #expect(report.outcomes == ["changed 200", "changed 200", "unauthorized 401", "unauthorized 401",
                                        "unauthorized 401", "unauthorized 401"])
            #expect(report.error(3) == "token may only change its own user")
            #expect(report.error(4) == "token may only change its own user")
            #expect(report.isNull(3, "users_matched"))
            #expect(report.isNull(5, "users_matched"))
            #expect(try f.state(alice) == ["t", "t"])
            #expect(try f.state(bob) == ["f", "f"])

            let audit = try f.auditRows()
            // One audit row per user and deciding row (section 4): alice's TOTP by row 1,
            // her passkey by row 2.
            #expect(audit.map(\.user) == [alice, alice])
            #expect(audit.map(\.manifestRow) == [1, 2])
            // The credential is the token's key and subject, never the token.
            #expect(audit.allSatisfy { $0.credential.contains(alice.uuidString.lowercased()) })
            #expect(audit.allSatisfy { !$0.credential.contains(token) && !$0.credential.contains(".") })
            let text = String(decoding: try JSONSerialization.data(withJSONObject: report.json), as: UTF8.self)
            #expect(!text.contains(token.split(separator: ".")[2]))
        }
    }

    @Test func anAdminTokenMayTargetEveryone() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            let alice = try f.user(acme, "alice@acme.com")
            let bob = try f.user(acme, "bob@acme.com")
            try f.jwtKey(acme, kid: "k1", secret: secret)
            let token = EngineFixture.hs256(kid: "k1", secret: secret, account: acme, subject: alice,
                                            scope: "mfa:write mfa:admin")

            let report = try f.run(JSONL.lines(
                #"{"account": "acme", "user": "*", "totp_enabled": true, "authorization": "Bearer \#(token)"}"#
            ))

            #expect(report.outcomes == ["changed 200"])
            #expect(report.changed(1) == 2)
            #expect(try f.state(alice) == ["t", "f"])
            #expect(try f.state(bob) == ["t", "f"])
        }
    }

    @Test func aTokenForAnotherAccountOrWithARevokedKeyIsRefused() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme"), globex = try f.account("globex")
            let alice = try f.user(acme, "alice@acme.com")
            try f.jwtKey(acme, kid: "k1", secret: secret)
            try f.jwtKey(globex, kid: "kg", secret: secret)
            try f.jwtKey(acme, kid: "old", secret: secret)
            try f.db.query("UPDATE jwt_keys SET revoked_at = now() WHERE kid = 'old'")
            // Signed by globex's key for globex, aimed at acme.
            let foreign = EngineFixture.hs256(kid: "kg", secret: secret, account: globex, subject: alice, scope: "mfa:admin")
            // acme's kid, but the acct claim says globex.
            let wrongAcct = EngineFixture.hs256(kid: "k1", secret: secret, account: globex, subject: alice, scope: "mfa:admin")
            let revoked = EngineFixture.hs256(kid: "old", secret: secret, account: acme, subject: alice, scope: "mfa:admin")
            let forged = EngineFixture.hs256(kid: "k1", secret: Array("not-the-secret".utf8), account: acme, subject: alice,
                                             scope: "mfa:admin")

            let report = try f.run(JSONL.lines(
                #"{"account": "acme", "user": "alice@acme.com", "totp_enabled": true, "authorization": "Bearer \#(foreign)"}"#,
                #"{"account": "acme", "user": "alice@acme.com", "totp_enabled": true, "authorization": "Bearer \#(wrongAcct)"}"#,
                #"{"account": "acme", "user": "alice@acme.com", "totp_enabled": true, "authorization": "Bearer \#(revoked)"}"#,
                #"{"account": "acme", "user": "alice@acme.com", "totp_enabled": true, "authorization": "Bearer \#(forged)"}"#
            ), partial: true)

            #expect(report.outcomes == ["unauthorized 401", "unauthorized 401", "unauthorized 401", "unauthorized 401"])
            #expect(try f.state(alice) == ["f", "f"])
            #expect(try f.auditCount() == 0)
        }
    }
}
