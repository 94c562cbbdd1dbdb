import Foundation
import Testing
@testable import MFABatchCore

@Suite struct RowValidatorTests {
    static let json = RowValidator(schema: .bundled, format: .json)
    static let csv = RowValidator(schema: .bundled, format: .csv)
    static let acmeID = UUID(uuidString: "2F1C8A5E-3B7D-4C2A-9E6F-1A2B3C4D5E6F")!

    /// A JSON row with `account` acme and `user` * unless overridden.
    static func jsonRow(_ fields: (String, RawValue)...) -> RawRow {
        var all: [(String, RawValue)] = [("account", .string("acme")), ("user", .string("*"))]
        for field in fields {
            if let index = all.firstIndex(where: { $0.0 == field.0 && ($0.0 == "account" || $0.0 == "user") }) {
                all[index] = field
            } else {
                all.append(field)
            }
        }
        return RawRow(row: 7, line: 12, fields: all.map { RawField(name: $0.0, value: $0.1) })
    }

    static func failure(_ result: Result<CheckedRow, RowDiagnostic>) -> RowDiagnostic? {
        if case .failure(let diagnostic) = result { return diagnostic }
        return nil
    }

    static func success(_ result: Result<CheckedRow, RowDiagnostic>) -> CheckedRow? {
        if case .success(let row) = result { return row }
        return nil
    }

    @Test func validCSVRowsOfTheGoodFixture() throws {
        let rows = try readAllRows(try openFixture("good.csv")).map { Self.csv.check($0) }.map(Self.success)
        #expect(rows.count == 4)
        #expect(rows[0]?.account == .slug("acme"))
        #expect(rows[0]?.user == .email("alice@acme.com"))
        #expect(rows[0]?.settings == [SettingChange(field: "totp_enabled", value: true)])
        #expect(rows[0]?.comment == "rolls out, phase 1")
        #expect(rows[0]?.row == 1 && rows[0]?.line == 2)
        #expect(rows[1]?.user == .all)
        #expect(rows[1]?.settings == [SettingChange(field: "totp_enabled", value: true),
                                      SettingChange(field: "passkey_enabled", value: false)])
        #expect(rows[2]?.account == .id(Self.acmeID))
        #expect(rows[2]?.settings == [SettingChange(field: "totp_enabled", value: false),
                                      SettingChange(field: "passkey_enabled", value: true)])
        #expect(rows[2]?.comment == nil)
        #expect(rows[3]?.user == .id(UUID(uuidString: "0B9D6C1E-2A3F-4B5C-8D7E-9F0A1B2C3D4E")!))
        #expect(rows[3]?.line == 7)
    }

    @Test func jsonFixtureRowsAreCheckedInOrder() throws {
        let results = try readAllRows(try openFixture("good.json")).map { Self.json.check($0) }
        #expect(Self.success(results[0])?.comment == "café \"quoted\"\n😀")
        #expect(Self.failure(results[1]) == RowDiagnostic(
            row: 2, line: 8, field: "extra", value: nil, message: "unknown field \"extra\"", reason: "unknown field"))
        #expect(Self.failure(results[2]) == RowDiagnostic(
            row: 3, line: 10, field: "account", value: "42",
            message: "account: expected an account id (UUID) or slug (1-63 of a-z, 0-9, -, starting with a letter "
                + "or digit), got 42",
            reason: "malformed account"))
    }

    @Test func settingsComeInSchemaOrder() {
        let row = Self.success(Self.json.check(Self.jsonRow(("passkey_enabled", .bool(true)), ("totp_enabled", .bool(false)))))
        #expect(row?.settings == [SettingChange(field: "totp_enabled", value: false),
                                  SettingChange(field: "passkey_enabled", value: true)])
    }

    @Test(arguments: [
        (RawValue.string("true"), "totp_enabled: expected true or false, got \"true\"", "true" as String?),
        (.number("1"), "totp_enabled: expected true or false, got 1", "1"),
        (.null, "totp_enabled: expected true or false, got null", "null"),
        (.array, "totp_enabled: expected true or false, got an array", nil),
    ])
    func jsonBooleansAreStrict(value: RawValue, message: String, shown: String?) {
        #expect(Self.failure(Self.json.check(Self.jsonRow(("totp_enabled", value)))) == RowDiagnostic(
            row: 7, line: 12, field: "totp_enabled", value: shown, message: message, reason: "invalid boolean"))
    }

    @Test(arguments: [("true", true), (" TRUE ", true), ("False", false), ("\tfalse", false)])
    func csvBooleansIgnoreCaseAndBlanks(text: String, expected: Bool) {
        let row = RawRow(row: 1, line: 2, fields: [RawField(name: "account", value: .string("acme")),
                                                   RawField(name: "user", value: .string("*")),
                                                   RawField(name: "totp_enabled", value: .string(text))])
        #expect(Self.success(Self.csv.check(row))?.settings == [SettingChange(field: "totp_enabled", value: expected)])
    }

    @Test func csvBadBooleanAndEmptyCells() {
        func row(_ totp: String, _ passkey: String) -> RawRow {
            RawRow(row: 3, line: 4, fields: [RawField(name: "account", value: .string("acme")),
                                             RawField(name: "user", value: .string("*")),
                                             RawField(name: "totp_enabled", value: .string(totp)),
                                             RawField(name: "passkey_enabled", value: .string(passkey))])
        }
        #expect(Self.failure(Self.csv.check(row("yes", ""))) == RowDiagnostic(
            row: 3, line: 4, field: "totp_enabled", value: "yes",
            message: "totp_enabled: expected true or false, got \"yes\"", reason: "invalid boolean"))
        #expect(Self.failure(Self.csv.check(row("", "  "))) == RowDiagnostic(
            row: 3, line: 4, field: nil, value: nil,
            message: "no setting: give at least one of totp_enabled, passkey_enabled", reason: "no setting"))
        #expect(Self.success(Self.csv.check(row("", "true")))?.settings == [SettingChange(field: "passkey_enabled", value: true)])
    }

    @Test(arguments: [
        ("acme", AccountRef.slug("acme")),
        ("a", .slug("a")),
        ("9-lives", .slug("9-lives")),
        (String(repeating: "a", count: 63), .slug(String(repeating: "a", count: 63))),
        ("2f1c8a5e-3b7d-4c2a-9e6f-1a2b3c4d5e6f", .id(acmeID)),
        // Not a UUID (one digit short) but within the slug alphabet: a slug.
        ("2f1c8a5e-3b7d-4c2a-9e6f-1a2b3c4d5e6", .slug("2f1c8a5e-3b7d-4c2a-9e6f-1a2b3c4d5e6")),
        ("2F1C8A5E-3B7D-4C2A-9E6F-1A2B3C4D5E6F", .id(acmeID)),
    ])
    func validAccounts(text: String, expected: AccountRef) {
        let row = Self.success(Self.json.check(Self.jsonRow(("account", .string(text)), ("totp_enabled", .bool(true)))))
        #expect(row?.account == expected)
    }

    @Test(arguments: ["", "-acme", "Acme", "acme corp", "acme_1", "ácme", String(repeating: "a", count: 64),
                      "2F1C8A5E-3B7D-4C2A-9E6F-1A2B3C4D5E6", "{2f1c8a5e-3b7d-4c2a-9e6f-1a2b3c4d5e6f}"])
    func malformedAccounts(text: String) {
        let diagnostic = Self.failure(Self.json.check(Self.jsonRow(("account", .string(text)), ("totp_enabled", .bool(true)))))
        #expect(diagnostic?.reason == "malformed account")
        #expect(diagnostic?.field == "account")
        #expect(diagnostic?.value == text)
    }

    @Test func missingAccountAndUser() {
        let noAccount = RawRow(row: 1, line: 1, fields: [RawField(name: "user", value: .string("*")),
                                                         RawField(name: "totp_enabled", value: .bool(true))])
        #expect(Self.failure(Self.json.check(noAccount)) == RowDiagnostic(
            row: 1, line: 1, field: "account", value: nil,
            message: "account: missing (an account id or slug is required)", reason: "missing account"))
        // In CSV an empty cell is "not given": a missing user, not a malformed one.
        let emptyUser = RawRow(row: 1, line: 2, fields: [RawField(name: "account", value: .string("acme")),
                                                         RawField(name: "user", value: .string(" ")),
                                                         RawField(name: "totp_enabled", value: .string("true"))])
        #expect(Self.failure(Self.csv.check(emptyUser)) == RowDiagnostic(
            row: 1, line: 2, field: "user", value: nil,
            message: "user: missing (a user id, an email or * is required)", reason: "missing user"))
    }

    @Test(arguments: [
        ("*", UserSelector.all),
        ("Bob@Example.COM", .email("bob@example.com")),
        ("élodie@Exemple.fr", .email("élodie@exemple.fr")),
        ("0b9d6c1e-2a3f-4b5c-8d7e-9f0a1b2c3d4e", .id(UUID(uuidString: "0B9D6C1E-2A3F-4B5C-8D7E-9F0A1B2C3D4E")!)),
    ])
    func validUsers(text: String, expected: UserSelector) {
        let row = Self.success(Self.json.check(Self.jsonRow(("user", .string(text)), ("totp_enabled", .bool(true)))))
        #expect(row?.user == expected)
    }

    @Test(arguments: ["bob", "bob@", "@example.com", "bob@example", "bob@@example.com", "bob smith@example.com",
                      "bob@example..com", "bob@.example.com", "**", ""])
    func malformedUsers(text: String) {
        let diagnostic = Self.failure(Self.json.check(Self.jsonRow(("user", .string(text)), ("totp_enabled", .bool(true)))))
        #expect(diagnostic?.message == "user: expected a user id (UUID), an email or *, got \"\(text)\"")
        #expect(diagnostic?.reason == "malformed user")
    }

    @Test func unknownFieldSuggestsAndNeverEchoesTheValue() {
        let diagnostic = Self.failure(Self.json.check(Self.jsonRow(("totp_enabled", .bool(true)),
                                                                   ("apikey", .string("sk_live_SECRET")))))
        #expect(diagnostic == RowDiagnostic(row: 7, line: 12, field: "apikey", value: nil,
                                            message: "unknown field \"apikey\" (did you mean api_key?)",
                                            reason: "unknown field"))
        let near = Self.failure(Self.json.check(Self.jsonRow(("totp_enable", .bool(true)))))
        #expect(near?.message == "unknown field \"totp_enable\" (did you mean totp_enabled?)")
    }

    @Test func duplicateKeyIsA400NamingTheKey() throws {
        let rows = try readAllRows(try openFixture("duplicate-key.json"))
        #expect(Self.failure(Self.json.check(rows[0])) == RowDiagnostic(
            row: 1, line: 1, field: "totp_enabled", value: nil, message: "duplicate field \"totp_enabled\"",
            reason: "duplicate field"))
    }

    @Test func credentials() {
        let apiKey = Self.success(Self.json.check(Self.jsonRow(("totp_enabled", .bool(true)), ("api_key", .string("mfa_abc")))))
        #expect(apiKey?.credential == .apiKey("mfa_abc"))
        let bearer = Self.success(Self.json.check(Self.jsonRow(("totp_enabled", .bool(true)),
                                                               ("authorization", .string("Bearer eyJh.eyJz.c2ln")))))
        #expect(bearer?.credential == .bearer("eyJh.eyJz.c2ln"))
        // Scheme case-insensitive; an empty signature reaches the 401 check.
        let unsigned = Self.success(Self.json.check(Self.jsonRow(("totp_enabled", .bool(true)),
                                                                 ("authorization", .string("bearer  eyJh.eyJz.")))))
        #expect(unsigned?.credential == .bearer("eyJh.eyJz."))
    }

    @Test(arguments: ["Basic c2VjcmV0OnB3", "Token abc.def.ghi", "Bearera.b.c", "bear", "xBearer a.b.c"])
    func malformedAuthorizationIsNeverEchoed(text: String) {
        let diagnostic = Self.failure(Self.json.check(Self.jsonRow(("totp_enabled", .bool(true)),
                                                                   ("authorization", .string(text)))))
        #expect(diagnostic == RowDiagnostic(row: 7, line: 12, field: "authorization", value: nil,
                                            message: "authorization: expected \"Bearer <JWT>\" (value not shown)",
                                            reason: "malformed credential"))
    }

    @Test func nonStringCredentialAndBothCredentials() {
        let number = Self.failure(Self.json.check(Self.jsonRow(("totp_enabled", .bool(true)), ("api_key", .number("12345")))))
        #expect(number == RowDiagnostic(row: 7, line: 12, field: "api_key", value: nil,
                                        message: "api_key: expected a non-empty string, got a number",
                                        reason: "malformed credential"))
        let both = Self.failure(Self.json.check(Self.jsonRow(("totp_enabled", .bool(true)), ("api_key", .string("k")),
                                                             ("authorization", .string("Bearer a.b.c")))))
        #expect(both?.reason == "ambiguous credential")
        #expect(both?.value == nil)
    }

    @Test func comments() {
        let bad = Self.failure(Self.json.check(Self.jsonRow(("totp_enabled", .bool(true)), ("comment", .number("5")))))
        #expect(bad == RowDiagnostic(row: 7, line: 12, field: "comment", value: "5",
                                     message: "comment: expected a string, got 5", reason: "malformed comment"))
        // CSV comments are kept as written, blanks included.
        let row = RawRow(row: 1, line: 2, fields: [RawField(name: "account", value: .string("acme")),
                                                   RawField(name: "user", value: .string("*")),
                                                   RawField(name: "totp_enabled", value: .string("true")),
                                                   RawField(name: "comment", value: .string("  keep me "))])
        #expect(Self.success(Self.csv.check(row))?.comment == "  keep me ")
    }

    @Test func longValuesAreCutInMessages() {
        let long = String(repeating: "y", count: 500)
        let diagnostic = Self.failure(Self.json.check(Self.jsonRow(("totp_enabled", .string(long)))))
        #expect(diagnostic?.message == "totp_enabled: expected true or false, got \"\(String(repeating: "y", count: 100))…\"")
        #expect(diagnostic?.value == String(repeating: "y", count: 200))
    }

    @Test func firstProblemInFieldOrderWins() {
        let row = RawRow(row: 1, line: 1, fields: [RawField(name: "totp_enabled", value: .string("x")),
                                                   RawField(name: "account", value: .string("BAD"))])
        #expect(Self.failure(Self.json.check(row))?.field == "totp_enabled")
    }
}
