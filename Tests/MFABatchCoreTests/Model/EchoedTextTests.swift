import Foundation
import Testing
@testable import MFABatchCore

/// Issue 12, items 5 and 10: one rule for every echoed value.
@Suite struct EchoedTextTests {
    static let key = "mfab_0badc0de_QWxsIHlvdXIgYmFzZSBhcmUgYmVsb25nIHRvIHVzISEhISE"
    static let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"

    @Test(arguments: [
        key, "  \(key)", "note: \(key) (rotated)", "MFAB_0BADC0DE_QWXS", "Bearer \(jwt)", "bearer abc",
        "authorization was Bearer abcdefghijklmnopqrstuvwxyz", jwt, "token=\(jwt)", "eyJhbGci.eyJ.",
    ])
    func credentialsAreFoundAnywhereInAValue(text: String) {
        #expect(CredentialFields.containsCredential(text))
        #expect(EchoedText.shown(text) == EchoedText.redacted)
    }

    @Test(arguments: [
        "alice@acme.test", "eyJane.doe@acme.test", "heyJoe.x.y", "mfab_short", "the bearer of bad news is bob",
        "rolls out, phase 1", "*", "2f1c8a5e-3b7d-4c2a-9e6f-1a2b3c4d5e6f", "",
    ])
    func ordinaryValuesAreShownAsWritten(text: String) {
        #expect(!CredentialFields.containsCredential(text))
        #expect(EchoedText.shown(text) == text)
    }

    @Test func longValuesAreCutToTwoHundredCharactersOnce() {
        let cut = EchoedText.shown(String(repeating: "é", count: 5_000))
        #expect(cut.unicodeScalars.count == 201 && cut.hasSuffix("é…"))
        #expect(EchoedText.shown(cut) == cut)
        let exact = String(repeating: "a", count: 200)
        #expect(EchoedText.shown(exact) == exact)
        #expect(EchoedText.shown(exact + "b") == exact + "…")
    }

    @Test func invisibleCharactersAreEscapedInMessages() {
        #expect(EchoedText.escapingInvisibles("bob\u{200B}@acme.test") == "bob\\u200b@acme.test")
        #expect(EchoedText.escapingInvisibles("a\u{00A0}b\u{FEFF}c\u{202E}d") == "a\\u00a0b\\ufeffc\\u202ed")
        #expect(EchoedText.escapingInvisibles("tag\u{E0041}") == "tag\\udb40\\udc41")
        #expect(EchoedText.escapingInvisibles("café 😀 plain") == "café 😀 plain")
    }

    /// The report columns (and what `run_outcomes` stores, built the same way) never
    /// hold a key, whatever field it was put in.
    @Test func rowOutcomesRedactAccountUserAndComment() {
        let raw = RawRow(row: 1, line: 2, fields: [
            RawField(name: "account", value: .string(Self.key)), RawField(name: "user", value: .string("Bearer " + Self.jwt)),
            RawField(name: "comment", value: .string("old key \(Self.key)")),
        ])
        #expect(raw.text("account") == EchoedText.redacted)
        #expect(raw.text("user") == EchoedText.redacted)
        #expect(raw.commentText == EchoedText.redacted)
        let diagnostic = RowValidator(schema: .bundled, format: .json).diagnose(raw)
        let outcome = RowOutcome(try! #require(diagnostic), raw: raw)
        for text in [outcome.account, outcome.user, outcome.comment ?? "", outcome.error ?? ""] {
            #expect(!text.contains("QWxsIHlvdXIg") && !text.contains(Self.jwt), "\(text)")
        }
    }

    /// A message quoting a value shows its invisible characters (item 10).
    @Test func validatorMessagesEscapeInvisibleCharacters() {
        let raw = RawRow(row: 1, line: 2, fields: [
            RawField(name: "account", value: .string("acme\u{200B}")), RawField(name: "user", value: .string("*")),
            RawField(name: "totp_enabled", value: .bool(true)),
        ])
        let diagnostic = RowValidator(schema: .bundled, format: .json).diagnose(raw)
        #expect(diagnostic?.message.contains("\"acme\\u200b\"") == true, "\(diagnostic?.message ?? "")")
        let outcome = RowOutcome(row: 1, line: 2, account: "acme", user: "bob\u{00A0}@acme.test", status: .invalid,
                                 error: "user: bob\u{00A0}@acme.test not found in account acme")
        #expect(outcome.error == "user: bob\\u00a0@acme.test not found in account acme")
    }
}
