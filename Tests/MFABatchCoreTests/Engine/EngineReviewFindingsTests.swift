import Foundation
import MFABatchCore
import Postgres
import Testing

/// Cases a review found: the policy and the "named beats *" rule must hold on what
/// `--partial` really applies, and a tenant must not appear to a caller who holds
/// no credential of it.
@Suite struct EngineReviewFindingsTests {
    /// globex requires MFA. Row 1 (`*`) gives passkey and takes TOTP away, row 2 takes
    /// erin's passkey, row 3 dana's TOTP. Rows 1–2 fail the policy (erin would have
    /// nothing); applying row 3 alone would strip dana, who relied on row 1's passkey.
    @Test func partialNeverAppliesARowWhoseCompanionFailedThePolicy() throws {
        try EngineFixture.with { f in
            let globex = try f.account("globex", mfaRequired: true)
            let dana = try f.user(globex, "dana@globex.test", totp: true)
            let erin = try f.user(globex, "erin@globex.test", totp: true)
            let key = try f.apiKey(globex)
            let report = try f.run(JSONL.lines(
                #"{"account": "globex", "user": "*", "passkey_enabled": true, "totp_enabled": false}"#,
                #"{"account": "globex", "user": "erin@globex.test", "passkey_enabled": false}"#,
                #"{"account": "globex", "user": "dana@globex.test", "totp_enabled": false}"#
            ), partial: true, apiKey: key.key)
            #expect(report.outcomes == ["invalid 400", "invalid 400", "invalid 400"])
            #expect(report.error(3).contains("would leave user dana@globex.test with no MFA factor"))
            #expect(try f.state(dana) == ["t", "f"])
            #expect(try f.state(erin) == ["t", "f"])
            #expect(try f.auditCount() == 0)
        }
    }

    /// Bob is named twice with opposite TOTP values (a conflict): with `--partial`, the
    /// `*` row does not set bob's TOTP (the failed rows name it), but still sets his
    /// passkey, which no failed row names; everyone else gets both.
    @Test func partialKeepsTheStarRowOffAUserWhoseNamedRowsConflict() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            let alice = try f.user(acme, "alice@acme.test")
            let bob = try f.user(acme, "bob@acme.test")
            let key = try f.apiKey(acme)
            let report = try f.run(JSONL.lines(
                #"{"account": "acme", "user": "*", "totp_enabled": true, "passkey_enabled": true}"#,
                #"{"account": "acme", "user": "bob@acme.test", "totp_enabled": false}"#,
                #"{"account": "acme", "user": "\#(bob.uuidString)", "totp_enabled": true}"#
            ), partial: true, apiKey: key.key)
            #expect(report.outcomes == ["changed 200", "invalid 400", "invalid 400"])
            #expect(try f.state(alice) == ["t", "t"])
            #expect(try f.state(bob) == ["f", "t"])
        }
    }

    /// A caller holding only acme's key learns nothing about globex: its row reads
    /// exactly like one for an account that does not exist, and globex is not among
    /// the report's tenants.
    @Test func anotherTenantReadsLikeAnUnknownAccount() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme")
            let globex = try f.account("globex")
            _ = try f.user(acme, "alice@acme.test")
            _ = try f.user(globex, "gina@globex.test")
            let key = try f.apiKey(acme)
            let report = try f.run(JSONL.lines(
                #"{"account": "acme", "user": "alice@acme.test", "totp_enabled": true}"#,
                #"{"account": "globex", "user": "gina@globex.test", "totp_enabled": true}"#,
                #"{"account": "nosuch", "user": "x@nosuch.test", "totp_enabled": true}"#,
                #"{"account": "globex", "user": "gina@globex.test", "totp_enabled": true, "api_key": "mfab_00000000_unknownkeyunknownkeyunknownkeyunknown"}"#
            ), partial: true, apiKey: key.key)
            #expect(report.outcomes == ["changed 200", "unauthorized 401", "unauthorized 401", "unauthorized 401"])
            #expect(report.error(2) == "credential not valid for account globex")
            #expect(report.error(3) == "credential not valid for account nosuch")
            #expect(report.error(4) == "credential not valid for account globex")
            #expect(report.tenants.map { $0["account"] as? String } == ["acme"])

            // Even a dead key says nothing about the account it names.
            let revoked = try f.apiKey(acme, revoked: true)
            let again = try f.run(JSONL.lines(
                #"{"account": "globex", "user": "gina@globex.test", "totp_enabled": true, "api_key": "\#(revoked.key)"}"#,
                #"{"account": "nosuch", "user": "x@nosuch.test", "totp_enabled": true, "api_key": "\#(revoked.key)"}"#,
                #"{"account": "acme", "user": "alice@acme.test", "totp_enabled": true, "api_key": "\#(revoked.key)"}"#
            ), partial: true, apiKey: key.key)
            #expect(again.error(1) == "credential not valid for account globex")
            #expect(again.error(2) == "credential not valid for account nosuch")
            #expect(again.error(3) == "api key revoked")
            #expect(again.tenants.isEmpty)
            #expect(again.count("tenants_rolled_back") == 0)
        }
    }
}
