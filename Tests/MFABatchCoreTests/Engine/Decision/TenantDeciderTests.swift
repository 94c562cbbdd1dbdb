import Foundation
import Testing
@testable import MFABatchCore

/// `TenantDecider` by example, one rule at a time (PRODUCT.md §2 "Meaning: desired
/// state", "Order of checks", `--partial`; §3 statuses; §4 `mfa_audit`). No database:
/// every test states the whole decision — verdicts, changes and audit.
///
/// Settings are bits: totp_enabled = 1, passkey_enabled = 2.
@Suite("TenantDecider examples")
struct TenantDeciderTests {
    // MARK: Desired state

    @Test func namedUserBeatsStarSoTOTPIsEnforcedOnEveryoneButTheBot() {
        let alice = Acme.user(1, "alice@acme.com")
        let carol = Acme.user(2, "carol@acme.com", Acme.totp)
        let bot = Acme.user(3, "bot@acme.com", Acme.totp)
        let gone = Acme.user(4, "gone@acme.com", deleted: true)
        // The bot's row comes first and still wins: row order never matters.
        let decision = Acme.decide([
            Acme.byEmail(1, "bot@acme.com", totp: false),
            Acme.everyone(2, totp: true),
            Acme.byEmail(3, "carol@acme.com", passkey: false),
        ], users: [alice, carol, bot, gone])

        #expect(decision.verdicts == [
            Acme.changed(matched: 1, changed: 1),
            // `*` matches the three non-deleted users; only alice changes because of it.
            Acme.changed(matched: 3, changed: 1),
            Acme.unchanged(matched: 1),
        ])
        #expect(decision.changes == [
            UserChange(user: alice.id, before: 0, after: Acme.totp),
            UserChange(user: bot.id, before: Acme.totp, after: 0),
        ])
        #expect(decision.audit == [
            AuditEntry(user: alice.id, row: 2, credential: Acme.admin.credentialID, before: 0, after: Acme.totp),
            AuditEntry(user: bot.id, row: 1, credential: Acme.admin.credentialID, before: Acme.totp, after: 0),
        ])
    }

    @Test func identicalDuplicatesAreNotAnErrorAndAreCreditedToTheFirst() {
        let alice = Acme.user(1, "alice@acme.com")
        let bob = Acme.user(2, "bob@acme.com")
        let decision = Acme.decide([
            Acme.byEmail(1, "alice@acme.com", totp: true),
            Acme.everyone(2, totp: true),
            Acme.byEmail(3, "ALICE@acme.com", totp: true, principal: Acme.otherAdmin),
            Acme.everyone(4, totp: true, principal: Acme.otherAdmin),
        ], users: [alice, bob])

        #expect(decision.verdicts == [
            Acme.changed(matched: 1, changed: 1),
            Acme.changed(matched: 2, changed: 1),
            Acme.unchanged(matched: 1),
            Acme.unchanged(matched: 2),
        ])
        #expect(decision.changes == [
            UserChange(user: alice.id, before: 0, after: Acme.totp),
            UserChange(user: bob.id, before: 0, after: Acme.totp),
        ])
        // One audit entry per user, with the first row's credential.
        #expect(decision.audit == [
            AuditEntry(user: alice.id, row: 1, credential: Acme.admin.credentialID, before: 0, after: Acme.totp),
            AuditEntry(user: bob.id, row: 2, credential: Acme.admin.credentialID, before: 0, after: Acme.totp),
        ])
    }

    // MARK: Conflicts

    @Test func rowsNamingTheSameUserByIDAndByEmailConflict() {
        let alice = Acme.user(1, "alice@acme.com")
        let decision = Acme.decide([
            Acme.byID(1, alice, totp: true),
            Acme.byEmail(2, "Alice@ACME.com", totp: false),
            // Another setting of the same user conflicts with neither.
            Acme.byEmail(3, "alice@acme.com", passkey: true),
        ], users: [alice], partial: true)

        #expect(decision.verdicts == [
            Acme.conflict("totp_enabled for user alice@acme.com: conflicts with row 2", matched: 1),
            Acme.conflict("totp_enabled for user alice@acme.com: conflicts with row 1", matched: 1),
            Acme.changed(matched: 1, changed: 1),
        ])
        #expect(decision.changes == [UserChange(user: alice.id, before: 0, after: Acme.passkey)])
        #expect(decision.audit == [
            AuditEntry(user: alice.id, row: 3, credential: Acme.admin.credentialID, before: 0, after: Acme.passkey),
        ])
    }

    @Test func aConflictNamesTheSmallestOtherRow() {
        let alice = Acme.user(1, "alice@acme.com")
        let decision = Acme.decide([
            Acme.byEmail(2, "alice@acme.com", totp: true),
            Acme.byEmail(4, "alice@acme.com", totp: false),
            Acme.byEmail(5, "alice@acme.com", totp: false),
            Acme.byEmail(7, "alice@acme.com", totp: true),
        ], users: [alice], partial: true)

        #expect(decision.verdicts == [
            Acme.conflict("totp_enabled for user alice@acme.com: conflicts with row 4", matched: 1),
            Acme.conflict("totp_enabled for user alice@acme.com: conflicts with row 2", matched: 1),
            Acme.conflict("totp_enabled for user alice@acme.com: conflicts with row 2", matched: 1),
            Acme.conflict("totp_enabled for user alice@acme.com: conflicts with row 4", matched: 1),
        ])
        #expect(decision.changes.isEmpty)
        #expect(decision.audit.isEmpty)
    }

    @Test func aConflictTieIsBrokenBySettingNameThenSmallestEmail() {
        // zed comes first among the users, bob has the smaller email; passkey_enabled
        // sorts before totp_enabled.
        let zed = Acme.user(1, "zed@acme.com")
        let bob = Acme.user(2, "bob@acme.com")
        let decision = Acme.decide([
            Acme.everyone(1, totp: true, passkey: true),
            Acme.everyone(2, totp: false, passkey: false),
        ], users: [zed, bob], partial: true)

        #expect(decision.verdicts == [
            Acme.conflict("passkey_enabled for user bob@acme.com: conflicts with row 2", matched: 2),
            Acme.conflict("passkey_enabled for user bob@acme.com: conflicts with row 1", matched: 2),
        ])
        #expect(decision.changes.isEmpty)
        #expect(decision.audit.isEmpty)
    }

    // MARK: Policy

    @Test func policyNamesOneStrippedUserOrCountsSeveral() {
        // ben comes first among the users; amy has the smaller email.
        let ben = Acme.user(1, "ben@acme.com", Acme.passkey)
        let amy = Acme.user(2, "amy@acme.com", Acme.totp)
        let cal = Acme.user(3, "cal@acme.com", Acme.totp | Acme.passkey)
        let dee = Acme.user(4, "dee@acme.com")
        let decision = Acme.decide([
            // Strips amy (with row 2) and ben; cal keeps TOTP; dee has no factor to lose.
            Acme.everyone(1, passkey: false),
            Acme.byEmail(2, "amy@acme.com", totp: false),
        ], users: [ben, amy, cal, dee], mfaRequired: true, partial: true)

        #expect(decision.verdicts == [
            Acme.policy("would leave 2 users (e.g. amy@acme.com) with no MFA factor, but account acme requires MFA",
                     matched: 4),
            Acme.policy("would leave user amy@acme.com with no MFA factor, but account acme requires MFA", matched: 1),
        ])
        #expect(decision.changes.isEmpty)
        #expect(decision.audit.isEmpty)
    }

    @Test func policyCountsAConflictingSettingAsUnchanged() {
        // amy has TOTP only. Her TOTP rows conflict, so TOTP stays on: row 3, turning
        // off a passkey she does not have, strips nobody.
        let amy = Acme.user(1, "amy@acme.com", Acme.totp)
        let kept = Acme.decide([
            Acme.byEmail(1, "amy@acme.com", totp: false),
            Acme.byEmail(2, "amy@acme.com", totp: true),
            Acme.byEmail(3, "amy@acme.com", passkey: false),
        ], users: [amy], mfaRequired: true, partial: true)

        #expect(kept.verdicts == [
            Acme.conflict("totp_enabled for user amy@acme.com: conflicts with row 2", matched: 1),
            Acme.conflict("totp_enabled for user amy@acme.com: conflicts with row 1", matched: 1),
            Acme.unchanged(matched: 1),
        ])
        #expect(kept.changes.isEmpty)
        #expect(kept.audit.isEmpty)

        // Her passkey rows conflict, so the passkey stays off: row 1, turning TOTP off,
        // strips her (and keeps the policy error although it conflicts too); row 3 turns
        // off the conflicting passkey and is blamed only for the conflict.
        let stripped = Acme.decide([
            Acme.byEmail(1, "amy@acme.com", totp: false, passkey: false),
            Acme.byEmail(2, "amy@acme.com", passkey: true),
            Acme.byEmail(3, "amy@acme.com", passkey: false),
        ], users: [amy], mfaRequired: true, partial: true)

        #expect(stripped.verdicts == [
            Acme.policy("would leave user amy@acme.com with no MFA factor, but account acme requires MFA", matched: 1),
            Acme.conflict("passkey_enabled for user amy@acme.com: conflicts with row 1", matched: 1),
            Acme.conflict("passkey_enabled for user amy@acme.com: conflicts with row 2", matched: 1),
        ])
        #expect(stripped.changes.isEmpty)
        #expect(stripped.audit.isEmpty)
    }

    // MARK: Without --partial

    @Test func withoutPartialAnyFailedRowLeavesEveryOtherRowNotApplied() {
        let alice = Acme.user(1, "alice@acme.com")
        let bob = Acme.user(2, "bob@acme.com")
        let decision = Acme.decide([
            Acme.everyone(1, totp: true),
            Acme.byEmail(2, "nobody@acme.com", totp: true),
            Acme.byEmail(3, "bob@acme.com", passkey: true),
            Acme.byEmail(4, "alice@acme.com", passkey: true, failure: Acme.junkKey, principal: nil),
        ], users: [alice, bob])

        // users_matched of the not_applied rows: see `notAppliedRowsKeepTheirUsersMatched`.
        #expect(decision.verdicts.map(\.status) == [.notApplied, .invalid, .notApplied, .unauthorized])
        #expect(decision.verdicts[0].reason == "not applied" && decision.verdicts[0].error == nil)
        #expect(decision.verdicts[0].usersChanged == nil)
        #expect(decision.verdicts[2].reason == "not applied" && decision.verdicts[2].error == nil)
        #expect(decision.verdicts[2].usersChanged == nil)
        #expect(decision.verdicts[1] == Acme.invalid("user: nobody@acme.com not found in account acme",
                                                    reason: "user not found", matched: nil))
        #expect(decision.verdicts[3] == Acme.failed(Acme.junkKey))
        #expect(decision.changes.isEmpty)
        #expect(decision.audit.isEmpty)
    }

    /// PRODUCT.md §3: `users_matched` is null only "when it never got that far"; a row
    /// that resolved and is `not_applied` because another row failed did get that far,
    /// and the SQL engine (`TenantSQL.markNotApplied`) and the report fixture
    /// (`Fixtures/reports/report.json`, row 5) keep it.
    @Test func notAppliedRowsKeepTheirUsersMatched() {
        let alice = Acme.user(1, "alice@acme.com")
        let bob = Acme.user(2, "bob@acme.com")
        let decision = Acme.decide([
            Acme.everyone(1, totp: true),
            Acme.byEmail(2, "nobody@acme.com", totp: true),
            Acme.byEmail(3, "bob@acme.com", passkey: true),
        ], users: [alice, bob])

        #expect(decision.verdicts == [
            RowVerdict(status: .notApplied, reason: "not applied", usersMatched: 2),
            Acme.invalid("user: nobody@acme.com not found in account acme", reason: "user not found", matched: nil),
            RowVerdict(status: .notApplied, reason: "not applied", usersMatched: 1),
        ])
    }

    // MARK: --partial and the rows that failed

    @Test func aFailedNamedRowWithAValidCredentialHoldsBackOnlyTheSettingsItNames() {
        let dana = Acme.user(1, "dana@acme.com")
        let eve = Acme.user(2, "eve@acme.com")
        let decision = Acme.decide([
            Acme.byEmail(1, "dana@acme.com", totp: true, failure: Acme.schemaError),
            Acme.everyone(2, totp: true),
            Acme.everyone(3, passkey: true),
        ], users: [dana, eve], partial: true)

        #expect(decision.verdicts == [
            Acme.failed(Acme.schemaError),
            Acme.changed(matched: 2, changed: 1),
            Acme.changed(matched: 2, changed: 2),
        ])
        // dana's TOTP is left alone; her passkey is not.
        #expect(decision.changes == [
            UserChange(user: dana.id, before: 0, after: Acme.passkey),
            UserChange(user: eve.id, before: 0, after: Acme.totp | Acme.passkey),
        ])
        #expect(decision.audit == [
            AuditEntry(user: dana.id, row: 3, credential: Acme.admin.credentialID, before: 0, after: Acme.passkey),
            AuditEntry(user: eve.id, row: 2, credential: Acme.admin.credentialID, before: 0, after: Acme.totp),
            AuditEntry(user: eve.id, row: 3, credential: Acme.admin.credentialID, before: Acme.totp, after: Acme.totp | Acme.passkey),
        ])
    }

    @Test func aFailedRowWithoutAValidCredentialDoesNotExemptItsUserFromStar() {
        let dana = Acme.user(1, "dana@acme.com")
        let eve = Acme.user(2, "eve@acme.com")
        let decision = Acme.decide([
            // A junk key: no principal at all.
            Acme.byEmail(1, "dana@acme.com", totp: false, failure: Acme.junkKey, principal: nil),
            Acme.everyone(2, totp: true),
            // eve's own token naming dana by id: granted, but not valid for dana.
            Acme.byID(3, dana, passkey: false, failure: Acme.otherUser, principal: Acme.token(eve)),
            Acme.everyone(4, passkey: true),
        ], users: [dana, eve], partial: true)

        #expect(decision.verdicts == [
            Acme.failed(Acme.junkKey),
            Acme.changed(matched: 2, changed: 2),
            Acme.failed(Acme.otherUser),
            Acme.changed(matched: 2, changed: 2),
        ])
        #expect(decision.changes == [
            UserChange(user: dana.id, before: 0, after: Acme.totp | Acme.passkey),
            UserChange(user: eve.id, before: 0, after: Acme.totp | Acme.passkey),
        ])
        #expect(decision.audit == [
            AuditEntry(user: dana.id, row: 2, credential: Acme.admin.credentialID, before: 0, after: Acme.totp),
            AuditEntry(user: dana.id, row: 4, credential: Acme.admin.credentialID, before: Acme.totp, after: Acme.totp | Acme.passkey),
            AuditEntry(user: eve.id, row: 2, credential: Acme.admin.credentialID, before: 0, after: Acme.totp),
            AuditEntry(user: eve.id, row: 4, credential: Acme.admin.credentialID, before: Acme.totp, after: Acme.totp | Acme.passkey),
        ])
    }

    @Test func aFailedRowWhoseSettingsCannotBeReadHoldsBackTheWholeUser() {
        let dana = Acme.user(1, "dana@acme.com")
        let eve = Acme.user(2, "eve@acme.com")
        let frank = Acme.user(3, "frank@acme.com")
        let unreadable = TenantRow.Failure(status: .invalid, error: "totp_enabled: expected true or false",
                                           reason: "invalid boolean")
        let noSetting = TenantRow.Failure(status: .invalid, error: "no setting given", reason: "no setting")
        let decision = Acme.decide([
            // `"totp_enabled": "yes"`: settings unreadable.
            Acme.row(1, "dana@acme.com", .email("dana@acme.com"), settings: nil, failure: unreadable),
            // A row naming no setting at all.
            Acme.row(2, "eve@acme.com", .email("eve@acme.com"), settings: SettingBits(), failure: noSetting),
            Acme.everyone(3, totp: true, passkey: true),
        ], users: [dana, eve, frank], partial: true)

        #expect(decision.verdicts == [
            Acme.failed(unreadable),
            Acme.failed(noSetting),
            Acme.changed(matched: 3, changed: 1),
        ])
        #expect(decision.changes == [UserChange(user: frank.id, before: 0, after: Acme.totp | Acme.passkey)])
        #expect(decision.audit == [
            AuditEntry(user: frank.id, row: 3, credential: Acme.admin.credentialID, before: 0, after: Acme.totp | Acme.passkey),
        ])
    }

    @Test func partialChecksThePolicyAgainOnWhatRemainsUntilNothingMoreFails() {
        let erin = Acme.user(1, "erin@acme.com", Acme.totp)
        let frank = Acme.user(2, "frank@acme.com")
        let gina = Acme.user(3, "gina@acme.com", Acme.totp | Acme.passkey)
        let decision = Acme.decide([
            // Strips gina (with row 2), so fails; erin's passkey relied on it.
            Acme.everyone(1, totp: false, passkey: true),
            Acme.byEmail(2, "gina@acme.com", passkey: false),
            // Fine on the desired state (row 1 gives erin a passkey); without row 1 it strips her.
            Acme.byEmail(3, "erin@acme.com", totp: false),
            Acme.byEmail(4, "frank@acme.com", totp: true),
        ], users: [erin, frank, gina], mfaRequired: true, partial: true)

        #expect(decision.verdicts == [
            Acme.policy("would leave user gina@acme.com with no MFA factor, but account acme requires MFA", matched: 3),
            Acme.policy("would leave user gina@acme.com with no MFA factor, but account acme requires MFA", matched: 1),
            Acme.policy("would leave user erin@acme.com with no MFA factor, but account acme requires MFA", matched: 1),
            Acme.changed(matched: 1, changed: 1),
        ])
        #expect(decision.changes == [UserChange(user: frank.id, before: 0, after: Acme.totp)])
        #expect(decision.audit == [
            AuditEntry(user: frank.id, row: 4, credential: Acme.admin.credentialID, before: 0, after: Acme.totp),
        ])
    }

    // MARK: Resolution and user tokens

    @Test func aUserTokenMayOnlyNameItsOwnUser() {
        let dana = Acme.user(1, "dana@acme.com")
        let eve = Acme.user(2, "eve@acme.com")
        let gone = Acme.user(3, "gone@acme.com", deleted: true)
        let danas = Acme.token(dana)
        let decision = Acme.decide([
            // Someone else, no one, a deleted user: all the same 401, nothing learnt.
            Acme.byEmail(1, "eve@acme.com", totp: true, principal: danas),
            Acme.byEmail(2, "nobody@acme.com", totp: true, principal: danas),
            Acme.byEmail(3, "Gone@acme.com", totp: true, principal: danas),
            // Her own user, by email in any case and by id.
            Acme.byEmail(4, "DANA@acme.com", totp: true, principal: danas),
            Acme.byID(5, dana, passkey: true, principal: danas),
            // Row 1's token is not valid for eve: `*` still decides her TOTP.
            Acme.everyone(6, totp: true),
        ], users: [dana, eve, gone], partial: true)

        #expect(decision.verdicts == [
            Acme.failed(Acme.otherUser),
            Acme.failed(Acme.otherUser),
            Acme.failed(Acme.otherUser),
            Acme.changed(matched: 1, changed: 1),
            Acme.changed(matched: 1, changed: 1),
            Acme.changed(matched: 2, changed: 1),
        ])
        #expect(decision.changes == [
            UserChange(user: dana.id, before: 0, after: Acme.totp | Acme.passkey),
            UserChange(user: eve.id, before: 0, after: Acme.totp),
        ])
        #expect(decision.audit == [
            AuditEntry(user: dana.id, row: 4, credential: danas.credentialID, before: 0, after: Acme.totp),
            AuditEntry(user: dana.id, row: 5, credential: danas.credentialID, before: Acme.totp, after: Acme.totp | Acme.passkey),
            AuditEntry(user: eve.id, row: 6, credential: Acme.admin.credentialID, before: 0, after: Acme.totp),
        ])
    }

    @Test func aRowNamingADeletedOrUnknownUserIsInvalidAndStarSkipsDeletedUsers() {
        let alice = Acme.user(1, "alice@acme.com")
        let gone = Acme.user(2, "gone@acme.com", Acme.totp, deleted: true)
        let unknown = Acme.uuid(0xFF)
        let decision = Acme.decide([
            Acme.byEmail(1, "Gone@acme.com", totp: false),
            Acme.byID(2, gone, totp: false),
            Acme.row(3, unknown.uuidString, .id(unknown), settings: Acme.bits(totp: true)),
            Acme.everyone(4, totp: true),
        ], users: [alice, gone], partial: true)

        #expect(decision.verdicts == [
            Acme.invalid("user: Gone@acme.com is deleted", reason: "user deleted", matched: nil),
            Acme.invalid("user: \(gone.id.uuidString.lowercased()) is deleted", reason: "user deleted", matched: nil),
            Acme.invalid("user: \(unknown.uuidString) not found in account acme", reason: "user not found", matched: nil),
            Acme.changed(matched: 1, changed: 1),
        ])
        #expect(decision.changes == [UserChange(user: alice.id, before: 0, after: Acme.totp)])
        #expect(decision.audit == [
            AuditEntry(user: alice.id, row: 4, credential: Acme.admin.credentialID, before: 0, after: Acme.totp),
        ])
    }

    // MARK: Audit and dry run

    @Test func aUserDecidedByTwoRowsGetsOneAuditEntryPerRowInManifestOrder() {
        let dana = Acme.user(1, "dana@acme.com")
        let eve = Acme.user(2, "eve@acme.com")
        let danas = Acme.token(dana)

        // Her own token for TOTP (row 1), an admin's `*` for passkeys (row 2).
        let first = Acme.decide([
            Acme.byEmail(1, "dana@acme.com", totp: true, principal: danas),
            Acme.everyone(2, passkey: true),
        ], users: [dana, eve])
        #expect(first.verdicts == [Acme.changed(matched: 1, changed: 1), Acme.changed(matched: 2, changed: 2)])
        #expect(first.changes == [
            UserChange(user: dana.id, before: 0, after: Acme.totp | Acme.passkey),
            UserChange(user: eve.id, before: 0, after: Acme.passkey),
        ])
        #expect(first.audit == [
            AuditEntry(user: dana.id, row: 1, credential: danas.credentialID, before: 0, after: Acme.totp),
            AuditEntry(user: dana.id, row: 2, credential: Acme.admin.credentialID, before: Acme.totp, after: Acme.totp | Acme.passkey),
            AuditEntry(user: eve.id, row: 2, credential: Acme.admin.credentialID, before: 0, after: Acme.passkey),
        ])

        // The other way round in the manifest: the `*` row's entry comes first.
        let swapped = Acme.decide([
            Acme.everyone(1, passkey: true),
            Acme.byEmail(2, "dana@acme.com", totp: true, principal: danas),
        ], users: [dana, eve])
        #expect(swapped.verdicts == [Acme.changed(matched: 2, changed: 2), Acme.changed(matched: 1, changed: 1)])
        #expect(swapped.changes == first.changes)
        #expect(swapped.audit == [
            AuditEntry(user: dana.id, row: 1, credential: Acme.admin.credentialID, before: 0, after: Acme.passkey),
            AuditEntry(user: dana.id, row: 2, credential: danas.credentialID, before: Acme.passkey, after: Acme.totp | Acme.passkey),
            AuditEntry(user: eve.id, row: 1, credential: Acme.admin.credentialID, before: 0, after: Acme.passkey),
        ])
    }

    @Test func aDryRunReportsWouldChangeAndStillComputesEveryChange() {
        let alice = Acme.user(1, "alice@acme.com")
        let bot = Acme.user(2, "bot@acme.com", Acme.totp)
        let decision = Acme.decide([
            Acme.everyone(1, totp: true),
            Acme.byEmail(2, "bot@acme.com", totp: false),
            Acme.byEmail(3, "alice@acme.com", passkey: false),
        ], users: [alice, bot], dryRun: true)

        #expect(decision.verdicts == [
            RowVerdict(status: .wouldChange, usersMatched: 2, usersChanged: 1),
            RowVerdict(status: .wouldChange, usersMatched: 1, usersChanged: 1),
            Acme.unchanged(matched: 1),
        ])
        #expect(decision.changes == [
            UserChange(user: alice.id, before: 0, after: Acme.totp),
            UserChange(user: bot.id, before: Acme.totp, after: 0),
        ])
        #expect(decision.audit == [
            AuditEntry(user: alice.id, row: 1, credential: Acme.admin.credentialID, before: 0, after: Acme.totp),
            AuditEntry(user: bot.id, row: 2, credential: Acme.admin.credentialID, before: Acme.totp, after: 0),
        ])
    }
}

/// Builders for the examples: account `acme`, settings `totp_enabled` (bit 1) and
/// `passkey_enabled` (bit 2), rows sent with an admin API key unless they say otherwise.
private enum Acme {
    static let totp: UInt64 = 1
    static let passkey: UInt64 = 2
    static let accountID = uuid(0xAC)
    static let admin = Principal(credentialID: "api_key:admin", accountID: accountID, restrictedToUser: nil)
    static let otherAdmin = Principal(credentialID: "api_key:second", accountID: accountID, restrictedToUser: nil)

    static let schemaError = TenantRow.Failure(status: .invalid, error: "comment: contains NUL", reason: "NUL in value")
    static let junkKey = TenantRow.Failure(status: .unauthorized, error: "credential not valid for account acme",
                                           reason: "credential not valid for account")
    static let otherUser = TenantRow.Failure(status: .unauthorized, error: AuthDenial.tokenOtherUser.message,
                                             reason: AuthDenial.tokenOtherUser.reason)

    static func uuid(_ n: Int) -> UUID {
        let hex = String(n, radix: 16)
        return UUID(uuidString: "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - hex.count) + hex)!
    }

    static func user(_ n: Int, _ email: String, _ settings: UInt64 = 0, deleted: Bool = false) -> TenantUser {
        TenantUser(id: uuid(n), email: email, deleted: deleted, settings: settings)
    }

    /// A user's own token, without `mfa:admin`.
    static func token(_ user: TenantUser) -> Principal {
        Principal(credentialID: "jwt:k1:" + user.id.uuidString.lowercased(), accountID: accountID,
                  restrictedToUser: user.id)
    }

    static func bits(totp: Bool? = nil, passkey: Bool? = nil) -> SettingBits {
        var bits = SettingBits()
        if let totp { bits.set(0, totp) }
        if let passkey { bits.set(1, passkey) }
        return bits
    }

    static func row(_ n: Int, _ user: String, _ selector: UserSelector?, settings: SettingBits?,
                    failure: TenantRow.Failure? = nil, principal: Principal? = admin) -> TenantRow {
        TenantRow(row: n, account: "acme", user: user, selector: selector, settings: settings, failure: failure,
                  principal: principal)
    }

    /// A row naming a user by email, as written (the selector is lower-cased, as the
    /// schema check leaves it).
    static func byEmail(_ n: Int, _ written: String, totp: Bool? = nil, passkey: Bool? = nil,
                        failure: TenantRow.Failure? = nil, principal: Principal? = admin) -> TenantRow {
        row(n, written, .email(written.lowercased()), settings: bits(totp: totp, passkey: passkey), failure: failure,
            principal: principal)
    }

    static func byID(_ n: Int, _ user: TenantUser, totp: Bool? = nil, passkey: Bool? = nil,
                     failure: TenantRow.Failure? = nil, principal: Principal? = admin) -> TenantRow {
        row(n, user.id.uuidString.lowercased(), .id(user.id), settings: bits(totp: totp, passkey: passkey),
            failure: failure, principal: principal)
    }

    static func everyone(_ n: Int, totp: Bool? = nil, passkey: Bool? = nil, principal: Principal? = admin) -> TenantRow {
        row(n, "*", .all, settings: bits(totp: totp, passkey: passkey), principal: principal)
    }

    static func decide(_ rows: [TenantRow], users: [TenantUser], mfaRequired: Bool = false, partial: Bool = false,
                       dryRun: Bool = false) -> TenantDecision {
        TenantDecider(settings: ["totp_enabled", "passkey_enabled"], account: "acme", mfaRequired: mfaRequired,
                      partial: partial, dryRun: dryRun).decide(rows: rows, users: users)
    }

    static func changed(matched: Int, changed: Int) -> RowVerdict {
        RowVerdict(status: .changed, usersMatched: matched, usersChanged: changed)
    }

    static func unchanged(matched: Int) -> RowVerdict {
        RowVerdict(status: .unchanged, usersMatched: matched, usersChanged: 0)
    }

    static func invalid(_ error: String, reason: String, matched: Int?) -> RowVerdict {
        RowVerdict(status: .invalid, error: error, reason: reason, usersMatched: matched)
    }

    static func conflict(_ error: String, matched: Int) -> RowVerdict {
        invalid(error, reason: "conflicting rows", matched: matched)
    }

    static func policy(_ error: String, matched: Int) -> RowVerdict {
        invalid(error, reason: "would leave a user without MFA", matched: matched)
    }

    /// A row that failed before the decision keeps its outcome, with no counts.
    static func failed(_ failure: TenantRow.Failure) -> RowVerdict {
        RowVerdict(status: failure.status, error: failure.error, reason: failure.reason)
    }
}
