import Foundation
import Testing
@testable import MFABatchCore

/// CSV rows are checked on their bytes (`CSVCells`) while JSON rows and the rows
/// the other tests build are `RawField`s: both must give the same verdict, and a
/// row must stay intact however many rows are read after it.
@Suite struct CSVRowBytesTests {
    static let validator = RowValidator(schema: .bundled, format: .csv)

    /// Cells that exercise every branch of the field checks, valid and not.
    static let accounts = ["acme", " acme ", "2F1C8A5E-3B7D-4C2A-9E6F-1A2B3C4D5E6F", "Acme", "-acme", "", "\tglobex\t"]
    static let users = ["*", " Alice@Example.COM ", "zoë@globex.io", "ZOË@Globex.IO", "2f1c8a5e-3b7d-4c2a-9e6f-1a2b3c4d5e6f",
                        "bob", "a@b", "", "x@y..z", "a b@c.d", "\"quoted\"@c.d"]
    static let booleans = ["true", " FALSE ", "True", "yes", "", "1", "tRUE\t"]
    /// (api_key, authorization): mostly one or none, once both (ambiguous).
    static let credentials = [("", ""), ("mfa_key_123", ""), ("  spaced  ", ""), ("", "Bearer aaa.bbb.ccc"),
                              ("", "bearer\t aaa.bbb."), ("", "Basic xyz"), ("", "Bearer aaa..ccc"), ("", "Bearer a.b.c.d"),
                              ("k", "Bearer a.b.c")]
    static let comments = ["", "plain", "with, comma and \"quotes\"", " padded ", "line\nbreak", "café"]

    static func manifest() -> (text: String, rows: Int) {
        let header = ["account", "user", "totp_enabled", "passkey_enabled", "api_key", "authorization", "comment"]
        var text = CSVEncoding.record(header)
        var rows = 0
        // Every account, user and boolean; the other columns cycle.
        for account in accounts {
            for user in users {
                for (index, flag) in booleans.enumerated() {
                    let (apiKey, authorization) = credentials[rows % credentials.count]
                    let cells = [account, user, flag, booleans[(index + 3) % booleans.count], apiKey, authorization,
                                 comments[rows % comments.count]]
                    text += CSVEncoding.record(cells)
                    rows += 1
                }
            }
        }
        return (text, rows)
    }

    /// What a check decided, in comparable form (a credential's secret included:
    /// this never leaves the test).
    static func verdict(_ result: Result<CheckedRow, RowDiagnostic>) -> String {
        switch result {
        case .failure(let diagnostic):
            return "invalid \(diagnostic.row)/\(diagnostic.line) \(diagnostic.field ?? "-") \(diagnostic.value ?? "-") "
                + "\(diagnostic.message) [\(diagnostic.reason)]"
        case .success(let row):
            let credential: String = switch row.credential {
            case .apiKey(let key)?: "key:" + key
            case .bearer(let token)?: "jwt:" + token
            case nil: "none"
            }
            return "valid \(row.row)/\(row.line) \(row.account) \(row.user) \(row.settings.map { "\($0.field)=\($0.value)" }) "
                + "\(credential) \(row.comment ?? "<nil>")"
        }
    }

    @Test(arguments: [3, ManifestLimits.chunkBytes])
    func bytesAndFieldsGiveTheSameVerdict(chunkSize: Int) throws {
        let (text, count) = Self.manifest()
        let reader = try CSVReader(bytes: Array(text.utf8), chunkSize: chunkSize)
        var seen = 0, valid = 0
        while let raw = try reader.next() {
            seen += 1
            let asFields = RawRow(row: raw.row, line: raw.line, fields: raw.fields)
            let fromBytes = Self.validator.check(raw)
            #expect(Self.verdict(fromBytes) == Self.verdict(Self.validator.check(asFields)))
            // `diagnose` is `check` without building the row.
            let diagnosed = Self.validator.diagnose(raw)
            if case .failure(let diagnostic) = fromBytes {
                #expect(diagnosed == diagnostic)
            } else {
                #expect(diagnosed == nil)
                valid += 1
            }
        }
        #expect(seen == count)
        // Both outcomes occur often enough for the comparison to mean something.
        #expect(valid >= 30 && count - valid >= 300, "\(valid) of \(count) valid")
    }

    @Test func acceptedValuesAreTrimmedAndLowerCased() throws {
        let text = "account,user,totp_enabled,authorization,comment\r\n"
            + " acme ,\" ZOË@Globex.IO \",\" TRUE \",Bearer   aaa.bbb.ccc,\" padded \"\r\n"
        let raw = try #require(try CSVReader(bytes: Array(text.utf8)).next())
        guard case .success(let row) = Self.validator.check(raw) else {
            Issue.record("row rejected: \(Self.validator.check(raw))")
            return
        }
        #expect(row.account == .slug("acme"))
        // ASCII letters folded; Ë is left for the database's lower().
        #expect(row.user == .email("zoË@globex.io"))
        #expect(row.settings == [SettingChange(field: "totp_enabled", value: true)])
        #expect(row.credential == .bearer("aaa.bbb.ccc"))
        // A comment is echoed as written, blanks included.
        #expect(row.comment == " padded ")
    }

    @Test(arguments: [1, 7, ManifestLimits.chunkBytes])
    func keptRowsStayIntactWhileLaterRowsAreRead(chunkSize: Int) throws {
        var text = "account,user,totp_enabled,comment\n"
        for i in 0..<500 { text += "t\(i),user\(i)@t.test,true,\"row \(i), \"\"quoted\"\"\"\n" }
        let reader = try CSVReader(bytes: Array(text.utf8), chunkSize: chunkSize)
        let first = try #require(try reader.next())
        var kept: [RawRow] = []
        // Every other row is dropped at once, so its buffer is free for the next row.
        while let row = try reader.next() {
            if row.row % 2 == 0 { kept.append(row) }
        }
        #expect(first.value("account") == .string("t0"))
        #expect(first.value("comment") == .string("row 0, \"quoted\""))
        #expect(kept.count == 250)
        for row in kept {
            let i = row.row - 1
            #expect(row.fields == [RawField(name: "account", value: .string("t\(i)")),
                                   RawField(name: "user", value: .string("user\(i)@t.test")),
                                   RawField(name: "totp_enabled", value: .string("true")),
                                   RawField(name: "comment", value: .string("row \(i), \"quoted\""))])
        }
    }
}
