import Foundation
import Postgres
import Testing
@testable import MFABatchCore

/// Combinations of the rules of PRODUCT.md §2 that a simple engine gets wrong.
@Suite("Engine edge cases")
struct EngineEdgeCaseTests {
    @Test func anyFailingRowHoldsBackItsTenantWithoutPartial() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme"), globex = try f.account("globex"), initech = try f.account("initech")
            let alice = try f.user(acme, "alice@acme.com")
            let carol = try f.user(globex, "carol@globex.com")
            let ivan = try f.user(initech, "ivan@initech.com")
            let acmeKey = try f.apiKey(acme).key, globexKey = try f.apiKey(globex).key
            let initechKey = try f.apiKey(initech).key

            let report = try f.run(JSONL.lines(
                // acme: a schema failure (bad boolean) in another row.
                #"{"account": "acme", "user": "alice@acme.com", "totp_enabled": true, "api_key": "\#(acmeKey)"}"#,
                #"{"account": "acme", "user": "alice@acme.com", "passkey_enabled": "yes", "api_key": "\#(acmeKey)"}"#,
                // globex: a credential failure in another row.
                #"{"account": "globex", "user": "carol@globex.com", "totp_enabled": true, "api_key": "\#(globexKey)"}"#,
                #"{"account": "globex", "user": "carol@globex.com", "passkey_enabled": true, "api_key": "\#(acmeKey)"}"#,
                // initech: all good.
                #"{"account": "initech", "user": "ivan@initech.com", "totp_enabled": true, "api_key": "\#(initechKey)"}"#
            ))

            #expect(report.outcomes == ["not_applied null", "invalid 400", "not_applied null", "unauthorized 401", "changed 200"])
            #expect(report.tenant("acme")["outcome"] as? String == "rolled_back")
            #expect(report.tenant("globex")["outcome"] as? String == "rolled_back")
            #expect(report.tenant("initech")["outcome"] as? String == "committed")
            #expect(try f.state(alice) == ["f", "f"])
            #expect(try f.state(carol) == ["f", "f"])
            #expect(try f.state(ivan) == ["t", "f"])
        }
    }

    @Test func rowsNamingTheAccountBySlugAndByIDAreOneTenantAndCanConflict() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            let alice = try f.user(acme, "alice@acme.com")
            let key = try f.apiKey(acme)

            let report = try f.run(JSONL.lines(
                #"{"account": "acme", "user": "alice@acme.com", "totp_enabled": true}"#,
                #"{"account": "\#(acme.uuidString.lowercased())", "user": "alice@acme.com", "totp_enabled": false}"#
            ), apiKey: key.key)

            #expect(report.outcomes == ["invalid 400", "invalid 400"])
            #expect(report.error(1).contains("conflicts with row 2"))
            #expect(report.error(2).contains("conflicts with row 1"))
            #expect(report.tenants.count == 1)
            #expect(try f.state(alice) == ["f", "f"])
        }
    }

    @Test func aStarRowAndANamedRowChangingDifferentSettingsOfOneUserBothCount() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            let alice = try f.user(acme, "alice@acme.com")
            let bob = try f.user(acme, "bob@acme.com")
            let key = try f.apiKey(acme)

            let report = try f.run(JSONL.lines(
                #"{"account": "acme", "user": "*", "totp_enabled": true}"#,
                #"{"account": "acme", "user": "alice@acme.com", "passkey_enabled": true}"#
            ), apiKey: key.key)

            #expect(report.outcomes == ["changed 200", "changed 200"])
            #expect(report.changed(1) == 2)
            #expect(report.changed(2) == 1)
            #expect(report.tenant("acme")["users_changed"] as? Int == 2)
            #expect(try f.state(alice) == ["t", "t"])
            #expect(try f.state(bob) == ["t", "f"])
            #expect(Set(try f.auditRows().map(\.user)) == [alice, bob])
        }
    }

    /// The summary's `users_changed` counts users (as the tenant's does), not the sum of
    /// the rows' counts: alice, changed by two rows, is one user.
    @Test
    func summaryUsersChangedCountsDistinctUsers() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            _ = try f.user(acme, "alice@acme.com")
            _ = try f.user(acme, "bob@acme.com")
            let key = try f.apiKey(acme)

            let report = try f.run(JSONL.lines(
                #"{"account": "acme", "user": "*", "totp_enabled": true}"#,
                #"{"account": "acme", "user": "alice@acme.com", "passkey_enabled": true}"#
            ), apiKey: key.key)

            #expect(report.tenant("acme")["users_changed"] as? Int == 2)
            #expect(report.count("users_changed") == 2)
            #expect(try f.db.query("SELECT (counts ->> 'users_changed')::int FROM job_runs").scalar == "2")
        }
    }

    /// PRODUCT.md §4: `mfa_audit` has one row per user and deciding row: alice's TOTP
    /// was decided by the `*` row, her passkey by her own row, so she has two audit
    /// rows, applied in manifest order (the second's before is the first's after).
    @Test
    func oneAuditRowPerUserAndDecidingRow() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            let alice = try f.user(acme, "alice@acme.com")
            let bob = try f.user(acme, "bob@acme.com")
            let key = try f.apiKey(acme)

            _ = try f.run(JSONL.lines(
                #"{"account": "acme", "user": "*", "totp_enabled": true}"#,
                #"{"account": "acme", "user": "alice@acme.com", "passkey_enabled": true}"#
            ), apiKey: key.key)

            let audit = try f.auditRows()
            let byRow = Dictionary(grouping: audit, by: \.manifestRow)
            #expect(Set(byRow[1]?.map(\.user) ?? []) == [alice, bob])
            #expect(byRow[2]?.map(\.user) == [alice])
            let aliceFirst = try #require(byRow[1]?.first { $0.user == alice })
            let aliceSecond = try #require(byRow[2]?.first)
            #expect(aliceFirst.before == #"{"totp_enabled": false, "passkey_enabled": false}"#)
            #expect(aliceFirst.after == #"{"totp_enabled": true, "passkey_enabled": false}"#)
            #expect(aliceSecond.before == aliceFirst.after)
            #expect(aliceSecond.after == #"{"totp_enabled": true, "passkey_enabled": true}"#)
        }
    }

    /// `*, totp=true` plus `bot, totp=false` is "everyone but the bot". If the bot's row
    /// fails with a valid credential (here: a malformed passkey value), `--partial`
    /// applies the valid rows, but the `*` row still does not decide the bot's TOTP.
    @Test
    func underPartialAFailedNamedRowStillExcludesItsUserFromTheStarRow() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            let alice = try f.user(acme, "alice@acme.com")
            let bot = try f.user(acme, "bot@acme.com")
            let key = try f.apiKey(acme)

            let report = try f.run(JSONL.lines(
                #"{"account": "acme", "user": "*", "totp_enabled": true}"#,
                #"{"account": "acme", "user": "bot@acme.com", "totp_enabled": false, "comment": 7}"#
            ), partial: true, apiKey: key.key)

            #expect(report.outcomes == ["changed 200", "invalid 400"])
            #expect(try f.state(alice) == ["t", "f"])
            #expect(try f.state(bot) == ["f", "f"])
            #expect(try f.auditRows().map(\.user) == [alice])
        }
    }

    /// A failed row that proves nothing about who sent it (a revoked key: 401) never
    /// changes what other rows do: the admin's `*` row still applies to the bot.
    @Test
    func underPartialARowWithoutAValidCredentialDoesNotExemptItsUser() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            let alice = try f.user(acme, "alice@acme.com")
            let bot = try f.user(acme, "bot@acme.com")
            let key = try f.apiKey(acme)
            let revoked = try f.apiKey(acme, revoked: true)

            let report = try f.run(JSONL.lines(
                #"{"account": "acme", "user": "*", "totp_enabled": true}"#,
                #"{"account": "acme", "user": "bot@acme.com", "totp_enabled": false, "api_key": "\#(revoked.key)"}"#
            ), partial: true, apiKey: key.key)

            #expect(report.outcomes == ["changed 200", "unauthorized 401"])
            #expect(try f.state(alice) == ["t", "f"])
            #expect(try f.state(bot) == ["t", "f"])
            #expect(Set(try f.auditRows().map(\.user)) == [alice, bot])
        }
    }

    /// The same with a schema failure in the bot's row (a typo in its boolean).
    @Test
    func underPartialASchemaInvalidNamedRowStillExcludesItsUserFromTheStarRow() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            let alice = try f.user(acme, "alice@acme.com")
            let bot = try f.user(acme, "bot@acme.com")
            let key = try f.apiKey(acme)

            let report = try f.run("""
                account,user,totp_enabled
                acme,*,true
                acme,bot@acme.com,flase

                """, name: "manifest.csv", partial: true, apiKey: key.key)

            #expect(report.outcomes == ["changed 200", "invalid 400"])
            #expect(try f.state(alice) == ["t", "f"])
            #expect(try f.state(bot) == ["f", "f"])
        }
    }

    @Test func concurrentRunsOnTheSameTenantSerializeAndChangeEachUserOnce() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            var users: [UUID] = []
            for n in 1...20 { users.append(try f.user(acme, "user\(n)@acme.com")) }
            let key = try f.apiKey(acme)
            let manifest = JSONL.lines(#"{"account": "acme", "user": "*", "totp_enabled": true}"#)

            let results = ConcurrentResults()
            let runner = f.runner
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                do {
                    let report = try runner.run(manifest, apiKey: key.key)
                    results.append(report.outcomes.first ?? "?", report.changed(1) ?? -1)
                } catch {
                    results.append("thrown: \(error)", -1)
                }
            }

            let outcomes = results.values.sorted { $0.1 > $1.1 }
            #expect(outcomes.map(\.0) == ["changed 200", "unchanged 200", "unchanged 200", "unchanged 200"])
            #expect(outcomes.map(\.1) == [20, 0, 0, 0])
            #expect(try f.auditCount() == 20)
            #expect(try f.db.query("SELECT count(*) FROM users WHERE totp_enabled").scalar == "20")
        }
    }
}

/// Results collected from threads.
private final class ConcurrentResults: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [(String, Int)] = []

    func append(_ outcome: String, _ changed: Int) {
        lock.lock()
        defer { lock.unlock() }
        storage.append((outcome, changed))
    }

    var values: [(String, Int)] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
