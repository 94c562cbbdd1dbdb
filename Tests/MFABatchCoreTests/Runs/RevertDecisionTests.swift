import Foundation
import Testing
@testable import MFABatchCore

/// `RevertDecision`: which settings of one user `runs revert` puts back, one example
/// per rule. Settings: 0 = totp_enabled, 1 = passkey_enabled.
@Suite("Revert decision")
struct RevertDecisionTests {
    typealias Row = RevertDecision.AuditRow
    typealias Restore = RevertDecision.Restore

    @Test func aSettingStillAsTheRunLeftItIsRestoredToItsBefore() {
        let decision = RevertDecision(
            settingCount: 2, audit: [Row(manifestRow: 12, before: [false, false], after: [true, false])],
            current: .present([true, false]))
        #expect(decision.restore == [Restore(setting: 0, value: false)])
        #expect(decision.rows == [12])
        #expect(decision.skipped.isEmpty)
    }

    @Test func twoRowsOfOneUserRestoreTheBeforeOfTheFirstRowThatChangedEachSetting() {
        // Row 3 (the user's own) turned TOTP on; row 7 (`*`) then turned the passkey on:
        // row 7's before is row 3's after.
        let decision = RevertDecision(
            settingCount: 2,
            audit: [Row(manifestRow: 3, before: [false, false], after: [true, false]),
                    Row(manifestRow: 7, before: [true, false], after: [true, true])],
            current: .present([true, true]))
        #expect(decision.restore == [Restore(setting: 0, value: false), Restore(setting: 1, value: false)])
        #expect(decision.rows == [3, 7])
    }

    @Test func onlyTheRowsOfRestoredSettingsAreNamed() {
        let decision = RevertDecision(
            settingCount: 2,
            audit: [Row(manifestRow: 3, before: [false, false], after: [true, false]),
                    Row(manifestRow: 7, before: [true, false], after: [true, true])],
            current: .present([true, false]))
        #expect(decision.restore == [Restore(setting: 0, value: false)])
        #expect(decision.rows == [3])
        #expect(decision.skipped == [RevertDecision.Skip(setting: 1, runAfter: true, now: false, reason: .changedSince)])
    }

    @Test func aSettingChangedSinceIsSkippedNotOverwritten() {
        let decision = RevertDecision(
            settingCount: 2, audit: [Row(manifestRow: 1, before: [false, true], after: [true, false])],
            current: .present([false, false]))
        #expect(decision.restore == [Restore(setting: 1, value: true)])
        #expect(decision.skipped == [RevertDecision.Skip(setting: 0, runAfter: true, now: false, reason: .changedSince)])
    }

    @Test func aDeletedOrVanishedUserIsSkippedForEverySettingTheRunChanged() {
        let audit = [Row(manifestRow: 1, before: [false, false], after: [true, true])]
        let deleted = RevertDecision(settingCount: 2, audit: audit, current: .deleted([true, true]))
        #expect(deleted.restore.isEmpty)
        #expect(deleted.skipped.map(\.reason) == [.userDeleted, .userDeleted])
        #expect(deleted.skipped.map(\.now) == [true, true])
        let gone = RevertDecision(settingCount: 2, audit: audit, current: .gone)
        #expect(gone.restore.isEmpty)
        #expect(gone.skipped == [RevertDecision.Skip(setting: 0, runAfter: true, now: nil, reason: .userGone),
                                 RevertDecision.Skip(setting: 1, runAfter: true, now: nil, reason: .userGone)])
    }

    @Test func settingsTheRunDidNotChangeOrThatAnAuditRowLacksAreLeftAlone() {
        // Setting 1 is unchanged; a third setting is missing from the audit JSON (an
        // audit row older than a setting added to the spec).
        let decision = RevertDecision(
            settingCount: 3, audit: [Row(manifestRow: 4, before: [true, true], after: [false, true])],
            current: .present([false, false, true]))
        #expect(decision.restore == [Restore(setting: 0, value: true)])
        #expect(decision.skipped.isEmpty)
    }

    @Test func aSettingChangedAndChangedBackWithinTheRunNeedsNothing() {
        let decision = RevertDecision(
            settingCount: 1,
            audit: [Row(manifestRow: 1, before: [false], after: [true]), Row(manifestRow: 2, before: [true], after: [false])],
            current: .present([true]))
        #expect(decision.restore.isEmpty)
        #expect(decision.skipped.isEmpty)
    }

    @Test func theCommentNamesTheRunAndItsRows() {
        let run = UUID(uuidString: "6F1C0A52-0000-4000-8000-000000000001")!
        #expect(RunRevert.comment(runID: run, rows: [12]) == "revert of run 6f1c0a52-0000-4000-8000-000000000001 row 12")
        #expect(RunRevert.comment(runID: run, rows: [3, 12]) == "revert of run 6f1c0a52-0000-4000-8000-000000000001 rows 3, 12")
    }
}
