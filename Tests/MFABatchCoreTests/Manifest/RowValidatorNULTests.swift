import Foundation
import Testing
@testable import MFABatchCore

/// A row member holding a JSON `\u0000` escape, and what the row's diagnostic must say.
struct NULCase: Sendable, CustomTestStringConvertible {
    var name: String
    /// JSON members of the row object: `account` and `user` unless the case gives them.
    var members: String
    var field: String?
    var message: String
    var reason: String = RowValidator.nulReason
    /// Text that must appear in no message (a credential, or part of one).
    var secret: String?
    var testDescription: String { name }
}

private let secret = "SECRETSECRET"

private let nulCases: [NULCase] = [
    NULCase(name: "comment", members: #""account": "acme", "user": "*", "totp_enabled": true, "comment": "before\u0000after""#,
            field: "comment", message: #"comment: contains a NUL character, got "before\u0000after""#),
    NULCase(name: "comment that is only a NUL", members: #""account": "acme", "user": "*", "totp_enabled": true, "comment": "\u0000""#,
            field: "comment", message: #"comment: contains a NUL character, got "\u0000""#),
    NULCase(name: "comment that looks like a key", members:
                #""account": "acme", "user": "*", "totp_enabled": true, "comment": "mfab_0123abcd_\#(secret)\u0000""#,
            field: "comment", message: "comment: contains a NUL character, got a value that looks like a credential (not shown)",
            secret: secret),
    NULCase(name: "user", members: #""account": "acme", "user": "bob\u0000@acme.test", "totp_enabled": true"#,
            field: "user", message: #"user: contains a NUL character, got "bob\u0000@acme.test""#),
    NULCase(name: "user * followed by NUL", members: #""account": "acme", "user": "*\u0000", "totp_enabled": true"#,
            field: "user", message: #"user: contains a NUL character, got "*\u0000""#),
    NULCase(name: "account slug", members: #""account": "ac\u0000me", "user": "*", "totp_enabled": true"#,
            field: "account", message: #"account: contains a NUL character, got "ac\u0000me""#),
    NULCase(name: "account id", members:
                #""account": "2f1c8a5e-3b7d-4c2a-9e6f-1a2b3c4d5e6f\u0000", "user": "*", "totp_enabled": true"#,
            field: "account", message: #"account: contains a NUL character, got "2f1c8a5e-3b7d-4c2a-9e6f-1a2b3c4d5e6f\u0000""#),
    NULCase(name: "setting given as a string", members: #""account": "acme", "user": "*", "totp_enabled": "true\u0000""#,
            field: "totp_enabled", message: #"totp_enabled: contains a NUL character, got "true\u0000""#),
    NULCase(name: "api_key", members:
                #""account": "acme", "user": "*", "totp_enabled": true, "api_key": "mfab_0123abcd_\#(secret)\u0000x""#,
            field: "api_key", message: "api_key: contains a NUL character (value not shown)", secret: secret),
    NULCase(name: "authorization", members:
                #""account": "acme", "user": "*", "totp_enabled": true, "authorization": "Bearer eyJ\#(secret).eyJ\u0000.x""#,
            field: "authorization", message: "authorization: contains a NUL character (value not shown)", secret: secret),
    NULCase(name: "unknown field's value", members:
                #""account": "acme", "user": "*", "totp_enabled": true, "token": "\#(secret)\u0000""#,
            field: "token", message: #"unknown field "token"; its value contains a NUL character"#, reason: "unknown field",
            secret: secret),
    NULCase(name: "field name", members: #""account": "acme", "user": "*", "totp_enabled": true, "comm\u0000ent": "x""#,
            field: nil, message: #"field name "comm\u0000ent" contains a NUL character"#),
    NULCase(name: "field name before any other field", members: #""\u0000": 1, "account": "acme", "user": "*", "totp_enabled": true"#,
            field: nil, message: #"field name "\u0000" contains a NUL character"#),
]

/// Issue 11, item 1: a JSON `\u0000` anywhere in a row object makes that row 400
/// (PostgreSQL text cannot hold NUL, so such a row used to stop `apply` with exit 3).
@Suite struct RowValidatorNULTests {
    /// The one row of `members` as the JSON and JSON Lines readers parse it.
    private func rows(_ members: String) throws -> [(ManifestFormat, RawRow)] {
        let object = "{" + members + "}"
        var result: [(ManifestFormat, RawRow)] = []
        for (format, text) in [(ManifestFormat.json, "[\n  " + object + "\n]\n"),
                               (.json, #"{"changes": ["# + object + "]}"),
                               (.jsonl, object + "\n")] {
            let reader = try ManifestSource.reader(bytes: Array(text.utf8), format: format, fileName: "m",
                                                   schema: .bundled, chunkSize: ManifestLimits.chunkBytes)
            let all = try readAllRows(reader)
            try #require(all.count == 1)
            result.append((format, all[0]))
        }
        return result
    }

    @Test("the row is invalid, naming the field and the NUL", arguments: nulCases)
    func rowIsInvalid(_ nulCase: NULCase) throws {
        for (format, raw) in try rows(nulCase.members) {
            let validator = RowValidator(schema: .bundled, format: format)
            guard case .failure(let diagnostic) = validator.check(raw) else {
                Issue.record("\(format): \(nulCase.name) was accepted")
                continue
            }
            #expect(diagnostic.field == nulCase.field)
            #expect(diagnostic.message == nulCase.message)
            #expect(diagnostic.reason == nulCase.reason)
            #expect(diagnostic.value == nil)
            // `validate` without per-row output takes the verdict alone: the same one.
            #expect(validator.diagnose(raw) == diagnostic)
            // The message never holds a credential (the comment column echoes the
            // comment as written, NUL aside, as it does for every row).
            if let secret = nulCase.secret { #expect(!diagnostic.message.contains(secret)) }
            // Nothing that reaches a report or `run_rows` holds a NUL.
            let outcome = RowOutcome(diagnostic, raw: raw)
            for text in [diagnostic.message, diagnostic.reason, outcome.account, outcome.user, outcome.comment ?? ""] {
                #expect(!text.utf8.contains(0), "\(format): \(text.debugDescription)")
            }
        }
    }

    @Test func aNULIsShownAsTheReplacementCharacterInReportColumns() throws {
        let members = #""account": "ac\u0000me", "user": "bob\u0000@acme.test", "totp_enabled": true, "comment": "a\u0000b""#
        for (_, raw) in try rows(members) {
            #expect(raw.text("account") == "ac\u{FFFD}me")
            #expect(raw.text("user") == "bob\u{FFFD}@acme.test")
            #expect(raw.commentText == "a\u{FFFD}b")
        }
        // Text without a NUL is given back as it is.
        #expect("café \u{1}".replacingNUL == "café \u{1}")
    }

    @Test func otherEscapedControlCharactersStayValid() throws {
        let members = #""account": "acme", "user": "*", "totp_enabled": true, "comment": "tab\tbell\u0007del\u007f""#
        for (format, raw) in try rows(members) {
            let row = try #require(try? RowValidator(schema: .bundled, format: format).check(raw).get())
            #expect(row.comment == "tab\tbell\u{7}del\u{7F}")
        }
    }

    /// Item 3: the account lookup (`WHERE slug = $1`) and the user lookups never see
    /// a NUL: such a value is no slug, id or address, even when only the NUL is
    /// around an otherwise good value, and a failed row's legible account and user
    /// (which `apply` still looks up) are nil.
    @Test(arguments: ["ac\u{0}me", "acme\u{0}", "\u{0}acme", "2f1c8a5e-3b7d-4c2a-9e6f-1a2b3c4d5e6f\u{0}"])
    func aValueWithNULIsNoAccount(_ text: String) {
        #expect(FieldSyntax.accountRef(text) == nil)
        #expect(FieldSyntax.legibleAccount(text) == nil)
        var bytes = text
        #expect(bytes.withUTF8 { FieldSyntax.isSlug($0) } == false)
    }

    @Test(arguments: ["bob\u{0}@acme.test", "bob@acme.test\u{0}", "\u{0}bob@acme.test",
                      "0b9d6c1e-2a3f-4b5c-8d7e-9f0a1b2c3d4e\u{0}"])
    func aValueWithNULIsNoUser(_ text: String) {
        #expect(FieldSyntax.legibleUser(text) == nil)
    }

    /// A top-level key is no row: the manifest is unusable, and the message spells
    /// the NUL as the file did instead of printing one.
    @Test(arguments: [#"{"x\u0000": []}"#, #"{"changes": [], "x\u0000": 1}"#])
    func aTopLevelKeyWithNULIsSpeltEscaped(text: String) {
        let error = manifestErrorText {
            _ = try readAllRows(try ManifestSource.reader(bytes: Array(text.utf8), format: .json, fileName: "m.json",
                                                          schema: .bundled))
        }
        #expect(error?.contains(#"unexpected top-level key "x\u0000""#) == true, "\(error ?? "")")
        #expect(error?.utf8.contains(0) == false)
    }

    @Test(arguments: [
        ("{\"account\": \"a\u{0}\"}\n", "m.jsonl: line 1: NUL byte inside a string (control characters must be escaped)"),
        ("{\"account\": \"acme\"}\n\u{0}\n", "m.jsonl: line 2: expected a row object, got NUL byte"),
        ("{\"account\": \"acme\"}\u{0}\n", "m.jsonl: line 1: unexpected NUL byte after the row object (JSON Lines: one object a line)"),
    ])
    func nulBytesInAJSONLinesFileMakeItUnusable(text: String, expected: String) {
        let error = manifestErrorText {
            _ = try readAllRows(try ManifestSource.reader(bytes: Array(text.utf8), format: .jsonl, fileName: "m.jsonl",
                                                          schema: .bundled, chunkSize: ManifestLimits.chunkBytes))
        }
        #expect(error == expected)
    }
}
