import Crypto
import Foundation
import Postgres
import Testing
@testable import MFABatchCore

/// One transaction per tenant (PRODUCT.md §1, §4): atomic unless `--partial`, dry
/// runs write nothing, reruns are idempotent, serialization failures are retried,
/// row-level security confines the engine's own transactions, `job_runs` records runs.
@Suite("Engine transactions")
struct EngineTransactionTests {
    private struct TwoTenants {
        var acme: UUID, globex: UUID
        var alice: UUID, bob: UUID, carol: UUID
        var key: String
    }

    /// acme: alice, bob; globex: carol; one key per account, given in the rows.
    private func twoTenants(_ f: EngineFixture) throws -> (TwoTenants, String) {
        let acme = try f.account("acme"), globex = try f.account("globex")
        let alice = try f.user(acme, "alice@acme.com"), bob = try f.user(acme, "bob@acme.com")
        let carol = try f.user(globex, "carol@globex.com")
        let acmeKey = try f.apiKey(acme).key, globexKey = try f.apiKey(globex).key
        let manifest = JSONL.lines(
            #"{"account": "acme", "user": "alice@acme.com", "totp_enabled": true, "api_key": "\#(acmeKey)"}"#,
            #"{"account": "acme", "user": "nobody@acme.com", "totp_enabled": true, "api_key": "\#(acmeKey)"}"#,
            #"{"account": "globex", "user": "carol@globex.com", "totp_enabled": true, "api_key": "\#(globexKey)"}"#,
            #"{"account": "acme", "user": "bob@acme.com", "passkey_enabled": true, "api_key": "\#(acmeKey)"}"#
        )
        return (TwoTenants(acme: acme, globex: globex, alice: alice, bob: bob, carol: carol, key: acmeKey), manifest)
    }

    @Test func aTenantWithAFailingRowCommitsNothingWhileTheOtherCommits() throws {
        try EngineFixture.with { f in
            let (t, manifest) = try twoTenants(f)
            let report = try f.run(manifest)

            #expect(report.outcomes == ["not_applied null", "invalid 400", "changed 200", "not_applied null"])
            #expect(report.isNull(1, "users_changed"))
            #expect(report.tenants.map { $0["account"] as? String } == ["acme", "globex"])
            #expect(report.tenant("acme")["outcome"] as? String == "rolled_back")
            #expect(report.tenant("acme")["users_changed"] as? Int == 0)
            #expect(report.tenant("acme")["account_id"] as? String == t.acme.uuidString.lowercased())
            #expect(report.tenant("globex")["outcome"] as? String == "committed")
            #expect(report.count("tenants_committed") == 1)
            #expect(report.count("tenants_rolled_back") == 1)
            #expect(report.count("not_applied") == 2)
            #expect(report.count("users_changed") == 1)
            #expect(try f.state(t.alice) == ["f", "f"])
            #expect(try f.state(t.bob) == ["f", "f"])
            #expect(try f.state(t.carol) == ["t", "f"])
            #expect(try f.auditRows().map(\.user) == [t.carol])
        }
    }

    @Test func partialAppliesTheValidRowsOfAFailingTenant() throws {
        try EngineFixture.with { f in
            let (t, manifest) = try twoTenants(f)
            let report = try f.run(manifest, partial: true)

            #expect(report.outcomes == ["changed 200", "invalid 400", "changed 200", "changed 200"])
            #expect(report.run["partial"] as? Bool == true)
            #expect(report.tenant("acme")["outcome"] as? String == "committed")
            #expect(report.tenant("acme")["users_changed"] as? Int == 2)
            #expect(report.count("tenants_committed") == 2)
            #expect(report.count("tenants_rolled_back") == 0)
            #expect(report.count("users_changed") == 3)
            #expect(try f.state(t.alice) == ["t", "f"])
            #expect(try f.state(t.bob) == ["f", "t"])
            #expect(try f.state(t.carol) == ["t", "f"])
            #expect(Set(try f.auditRows().map(\.user)) == [t.alice, t.bob, t.carol])
            #expect(Set(try f.auditRows().map(\.manifestRow)) == [1, 3, 4])
        }
    }

    @Test func dryRunWritesNothingAndARerunIsUnchanged() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            let alice = try f.user(acme, "alice@acme.com")
            let bob = try f.user(acme, "bob@acme.com", totp: true)
            let key = try f.apiKey(acme)
            let manifest = JSONL.lines(
                #"{"account": "acme", "user": "alice@acme.com", "totp_enabled": true}"#,
                #"{"account": "acme", "user": "bob@acme.com", "totp_enabled": true}"#
            )

            let dry = try f.run(manifest, mode: .dryRun, apiKey: key.key)
            #expect(dry.outcomes == ["would_change 200", "unchanged 200"])
            #expect(dry.run["mode"] as? String == "dry-run")
            #expect(dry.count("would_change") == 1)
            #expect(dry.count("changed") == 0)
            #expect(dry.tenant("acme")["outcome"] as? String == "dry_run")
            #expect(try f.state(alice) == ["f", "f"])
            #expect(try f.state(bob) == ["t", "f"])
            #expect(try f.auditCount() == 0)

            let applied = try f.run(manifest, apiKey: key.key)
            #expect(applied.outcomes == ["changed 200", "unchanged 200"])
            #expect(applied.changed(1) == 1)
            #expect(applied.changed(2) == 0)
            #expect(try f.state(alice) == ["t", "f"])
            #expect(try f.auditCount() == 1)

            let rerun = try f.run(manifest, apiKey: key.key)
            #expect(rerun.outcomes == ["unchanged 200", "unchanged 200"])
            #expect(rerun.count("users_changed") == 0)
            #expect(rerun.tenant("acme")["outcome"] as? String == "committed")
            #expect(try f.auditCount() == 1)

            let modes = try f.db.query("SELECT mode FROM job_runs ORDER BY started_at").rows.map { $0[0] ?? "" }
            #expect(modes == ["dry-run", "apply", "apply"])
        }
    }

    @Test func aSerializationFailureIsRetriedAndTheChangeAppliedOnce() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            let alice = try f.user(acme, "alice@acme.com")
            let bob = try f.user(acme, "bob@acme.com")
            let key = try f.apiKey(acme)
            // The first UPDATE of users fails as a serialization failure; the sequence is
            // not transactional, so the retried transaction passes.
            try f.db.execute(script: """
                CREATE SEQUENCE fail_once;
                GRANT USAGE ON SEQUENCE fail_once TO mfa_batch_tenant;
                CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
                BEGIN
                    IF nextval('fail_once') = 1 THEN
                        RAISE EXCEPTION 'forced' USING ERRCODE = 'serialization_failure';
                    END IF;
                    RETURN NULL;
                END
                $$;
                CREATE TRIGGER fail_once BEFORE UPDATE ON users FOR EACH STATEMENT EXECUTE FUNCTION fail_once();
                """)

            let report = try f.run(JSONL.lines(
                #"{"account": "acme", "user": "*", "totp_enabled": true}"#
            ), apiKey: key.key)

            #expect(report.outcomes == ["changed 200"])
            #expect(report.changed(1) == 2)
            #expect(report.tenant("acme")["outcome"] as? String == "committed")
            // The trigger ran twice: the failed attempt and the retry.
            #expect(try f.db.query("SELECT last_value FROM fail_once").scalar == "2")
            #expect(try f.state(alice) == ["t", "f"])
            #expect(try f.state(bob) == ["t", "f"])
            let audit = try f.auditRows()
            #expect(audit.count == 2)
            #expect(Set(audit.map(\.user)) == [alice, bob])
        }
    }

    @Test func aPersistentDatabaseErrorMarksTheTenantsRowsError() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme"), globex = try f.account("globex")
            let alice = try f.user(acme, "alice@acme.com")
            let carol = try f.user(globex, "carol@globex.com")
            let acmeKey = try f.apiKey(acme).key, globexKey = try f.apiKey(globex).key
            try f.db.execute(script: """
                CREATE FUNCTION always_fail() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.account_id = '\(acme.uuidString.lowercased())' THEN
                        RAISE EXCEPTION 'broken' USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NEW;
                END
                $$;
                CREATE TRIGGER always_fail BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION always_fail();
                """)

            let report = try f.run(JSONL.lines(
                #"{"account": "acme", "user": "alice@acme.com", "totp_enabled": true, "api_key": "\#(acmeKey)"}"#,
                #"{"account": "globex", "user": "carol@globex.com", "totp_enabled": true, "api_key": "\#(globexKey)"}"#
            ))

            #expect(report.outcomes == ["error null", "changed 200"])
            #expect(report.error(1).contains("23514"))
            #expect(report.tenant("acme")["outcome"] as? String == "rolled_back")
            #expect(try f.state(alice) == ["f", "f"])
            #expect(try f.state(carol) == ["t", "f"])
            #expect(try f.auditRows().map(\.user) == [carol])
        }
    }

    @Test func rowLevelSecurityConfinesTheEnginesTransactionToItsTenant() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme"), globex = try f.account("globex")
            let alice = try f.user(acme, "alice@acme.com")
            let carol = try f.user(globex, "carol@globex.com")
            // The engine's statements inside acme's scope, aimed at globex's user.
            let statements = try TenantStatements(settings: SettingsSchema.bundled.settings)
            try TenantScope.transaction(f.db, account: acme) { connection in
                for account in [acme, globex] {
                    let read = statements.users(account: account, ids: [carol], emails: ["carol@globex.com"], everyone: false)
                    let users = try connection.query(read.sql, read.parameters.map { $0 as (any PostgresParameter)? })
                    #expect(users.rows.isEmpty)
                }
                #expect(try connection.query("UPDATE users SET totp_enabled = true WHERE id = $1", [carol]).affectedRows == 0)
            }
            // The set-based write refuses to pretend: it expected one user and found none.
            #expect(throws: PostgresError.self) {
                try TenantScope.transaction(f.db, account: acme) { connection in
                    let write = statements.update(account: globex, changes: [UserChange(user: carol, before: 0, after: 1)])
                    try connection.query(write.sql, write.parameters.map { $0 as (any PostgresParameter)? })
                }
            }
            #expect(try f.state(carol) == ["f", "f"])
            #expect(try f.state(alice) == ["f", "f"])
            #expect(try f.auditCount() == 0)
        }
    }

    @Test func aManifestRowCannotReachAnotherTenantsUserByID() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme"), globex = try f.account("globex")
            let carol = try f.user(globex, "carol@globex.com")
            let key = try f.apiKey(acme)

            let report = try f.run(JSONL.lines(
                #"{"account": "acme", "user": "\#(carol.uuidString.lowercased())", "totp_enabled": true}"#,
                #"{"account": "acme", "user": "carol@globex.com", "totp_enabled": true}"#
            ), apiKey: key.key)

            #expect(report.outcomes == ["invalid 400", "invalid 400"])
            #expect(report.error(1).contains("not found"))
            #expect(report.error(2).contains("not found"))
            #expect(try f.state(carol) == ["f", "f"])
            #expect(try f.auditCount() == 0)
        }
    }

    @Test func jobRunsHasOneRowPerRunMatchingTheReport() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            _ = try f.user(acme, "alice@acme.com")
            let key = try f.apiKey(acme)
            let manifest = JSONL.lines(
                #"{"account": "acme", "user": "alice@acme.com", "totp_enabled": true}"#,
                #"{"account": "acme", "user": "nobody@acme.com", "totp_enabled": true}"#
            )

            let report = try f.run(manifest, partial: true, job: "nightly-totp", apiKey: key.key)
            let sha = Crypto.hex(Crypto.sha256(Array(manifest.utf8)))
            #expect(report.run["manifest_sha256"] as? String == sha)
            #expect(report.run["job"] as? String == "nightly-totp")
            #expect(report.run["mode"] as? String == "apply")

            let rows = try f.db.query("""
                SELECT id, job, mode, manifest_sha256, outcome, partial, finished_at IS NOT NULL,
                       (counts ->> 'rows')::int, (counts ->> 'changed')::int, (counts ->> 'invalid')::int,
                       (counts ->> 'users_changed')::int, (counts ->> 'tenants_committed')::int
                FROM job_runs
                """).rows
            #expect(rows.count == 1)
            let runID = try #require(report.runID)
            #expect(rows.first == [runID, "nightly-totp", "apply", sha, "rows_failed", "t", "t", "2", "1", "1", "1", "1"])
            #expect(try f.auditRows().map(\.run) == [runID])

            let clean = try f.run(JSONL.lines(
                #"{"account": "acme", "user": "alice@acme.com", "totp_enabled": true}"#
            ), apiKey: key.key)
            #expect(try f.db.query("SELECT outcome, job IS NULL FROM job_runs WHERE id = $1", [clean.runID]).rows.first
                    == ["succeeded", "t"])
            #expect(try f.db.query("SELECT count(*) FROM job_runs").scalar == "2")
        }
    }
}
