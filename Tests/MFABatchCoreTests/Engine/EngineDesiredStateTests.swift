import Foundation
import Postgres
import Testing
@testable import MFABatchCore

/// PRODUCT.md §2 "Meaning: desired state, not a call sequence": the most specific row
/// decides each user's setting; same-specificity disagreement is a conflict;
/// identical duplicates are fine.
@Suite("Engine desired state")
struct EngineDesiredStateTests {
    @Test func namedRowBeatsStarSoTOTPIsEnforcedOnEveryoneButTheBot() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            let alice = try f.user(acme, "alice@acme.com")
            let carol = try f.user(acme, "carol@acme.com", totp: true)
            let bot = try f.user(acme, "bot@acme.com", totp: true)
            let gone = try f.user(acme, "gone@acme.com", deleted: true)
            let key = try f.apiKey(acme)

            // The bot's row comes after the `*` row and still wins: row order never matters.
            let report = try f.run(JSONL.lines(
                #"{"account": "acme", "user": "bot@acme.com", "totp_enabled": false, "comment": "service account"}"#,
                #"{"account": "acme", "user": "*", "totp_enabled": true}"#,
                #"{"account": "acme", "user": "carol@acme.com", "passkey_enabled": false}"#
            ), apiKey: key.key)

            #expect(report.outcomes == ["changed 200", "changed 200", "unchanged 200"])
            // Row 1: the bot, decided by its own row.
            #expect(report.matched(1) == 1)
            #expect(report.changed(1) == 1)
            #expect(report.row(1)["comment"] as? String == "service account")
            // Row 2: `*` matches the three non-deleted users; only alice changes because of it
            // (carol already had TOTP, the bot is decided by row 1).
            #expect(report.matched(2) == 3)
            #expect(report.changed(2) == 1)
            #expect(report.matched(3) == 1)
            #expect(report.changed(3) == 0)
            #expect(report.isNull(1, "error") && report.isNull(2, "error") && report.isNull(3, "error"))
            #expect(report.count("changed") == 2)
            #expect(report.count("unchanged") == 1)
            #expect(report.count("users_changed") == 2)
            #expect(report.count("tenants_committed") == 1)
            #expect(report.tenant("acme")["outcome"] as? String == "committed")
            #expect(report.tenant("acme")["users_changed"] as? Int == 2)
            #expect(report.tenant("acme")["rows"] as? Int == 3)

            #expect(try f.state(alice) == ["t", "f"])
            #expect(try f.state(carol) == ["t", "f"])
            #expect(try f.state(bot) == ["f", "f"])
            #expect(try f.state(gone) == ["f", "f"])

            // One audit row per changed user, with the key's id and before/after.
            let runID = try #require(report.runID)
            let audit = try f.auditRows()
            #expect(audit.map(\.user) == [bot, alice])
            #expect(audit.map(\.manifestRow) == [1, 2])
            #expect(audit.allSatisfy { $0.credential == "api_key:" + key.id.uuidString.lowercased() })
            #expect(audit.allSatisfy { $0.account == acme && $0.run == runID })
            #expect(try f.audited(bot, "totp_enabled") == ["true", "false"])
            #expect(try f.audited(alice, "totp_enabled") == ["false", "true"])
            #expect(audit.allSatisfy { !$0.before.contains(key.key) && !$0.after.contains(key.key) })
        }
    }

    @Test func sameSpecificityDisagreementIsAConflictEvenByIDAndByEmail() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            let alice = try f.user(acme, "alice@acme.com")
            let key = try f.apiKey(acme)

            let report = try f.run(JSONL.lines(
                #"{"account": "acme", "user": "\#(alice.uuidString.lowercased())", "totp_enabled": true}"#,
                #"{"account": "acme", "user": "passkey-only@acme.com", "passkey_enabled": true, "comment": "unrelated"}"#,
                #"{"account": "acme", "user": "Alice@ACME.com", "totp_enabled": false}"#,
                // Another setting of the same user does not conflict with either.
                #"{"account": "acme", "user": "alice@acme.com", "passkey_enabled": true}"#
            ), apiKey: key.key)

            // passkey-only@ does not exist; the rest of the tenant is held back (no --partial).
            #expect(report.outcomes == ["invalid 400", "invalid 400", "invalid 400", "not_applied null"])
            #expect(report.error(1).contains("conflicts with row 3"))
            #expect(report.error(3).contains("conflicts with row 1"))
            #expect(!report.error(2).contains("conflicts"))
            #expect(report.tenant("acme")["outcome"] as? String == "rolled_back")
            #expect(try f.state(alice) == ["f", "f"])
            #expect(try f.auditCount() == 0)
        }
    }

    @Test func twoStarRowsThatDisagreeConflictForEveryUser() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            let alice = try f.user(acme, "alice@acme.com")
            let key = try f.apiKey(acme)

            let report = try f.run(JSONL.lines(
                #"{"account": "acme", "user": "*", "passkey_enabled": true}"#,
                #"{"account": "acme", "user": "*", "passkey_enabled": false}"#
            ), partial: true, apiKey: key.key)

            #expect(report.outcomes == ["invalid 400", "invalid 400"])
            #expect(report.error(1).contains("conflicts with row 2"))
            #expect(report.error(2).contains("conflicts with row 1"))
            #expect(try f.state(alice) == ["f", "f"])
            #expect(try f.auditCount() == 0)
        }
    }

    @Test func identicalDuplicatesAreNotAnErrorAndAuditOnce() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            let alice = try f.user(acme, "alice@acme.com")
            let key = try f.apiKey(acme)

            let report = try f.run(JSONL.lines(
                #"{"account": "acme", "user": "alice@acme.com", "totp_enabled": true}"#,
                #"{"account": "acme", "user": "\#(alice.uuidString)", "totp_enabled": true}"#,
                #"{"account": "acme", "user": "ALICE@acme.com", "totp_enabled": true}"#
            ), apiKey: key.key)

            // Identical duplicates are credited to the first (README, PRODUCT.md §4).
            let statuses = report.rows.compactMap { $0["status"] as? String }
            #expect(statuses == ["changed", "unchanged", "unchanged"])
            #expect(report.rows.allSatisfy { ($0["code"] as? Int) == 200 && ($0["users_matched"] as? Int) == 1 })
            #expect(report.count("users_changed") == 1)
            #expect(report.tenant("acme")["outcome"] as? String == "committed")
            #expect(try f.state(alice) == ["t", "f"])
            #expect(try f.auditRows().map(\.user) == [alice])
            #expect(try f.auditRows().map(\.manifestRow) == [1])
        }
    }
}
