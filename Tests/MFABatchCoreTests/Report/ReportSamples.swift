import Foundation
@testable import MFABatchCore

/// The hand-made run the golden files under `Fixtures/reports/` were written from:
/// awkward text everywhere (quotes, commas, CR/LF, tabs, backslashes, a control
/// character, non-ASCII, emoji, empty strings, nulls).
enum ReportSamples {
    static let runID = UUID(uuidString: "3F2504E0-4F89-41D3-9A0C-0305E82C3301")!

    /// 2026-11-29T15:12:46.123Z → 2026-11-29T15:14:01.007Z.
    static let run = RunInfo(
        id: runID, job: "nightly-totp", mode: .apply, manifest: "jobs/ünïcode \"q\".csv",
        manifestSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        startedAt: Date(timeIntervalSince1970: 1_795_965_166.123),
        finishedAt: Date(timeIntervalSince1970: 1_795_965_241.007), partial: false)

    static let outcomes: [RowOutcome] = [
        RowOutcome(row: 1, line: 2, account: "acme", user: "alice@acme.com", status: .changed,
                   usersMatched: 1, usersChanged: 1, comment: "enforce, per \"policy\""),
        RowOutcome(row: 2, line: 3, account: "acme", user: "*", status: .unchanged,
                   usersMatched: 40, usersChanged: 0),
        RowOutcome(row: 3, line: 4, account: "acme", user: "bob@acme.com", status: .invalid,
                   error: "user not found: bob@acme.com", comment: "multi\nline", reason: "user not found"),
        RowOutcome(row: 4, line: 6, account: "globex", user: "zoë@globex.com", status: .unauthorized,
                   error: "credential not valid for account globex", comment: "naïve – ü 🚀",
                   reason: "credential not valid"),
        RowOutcome(row: 5, line: 7, account: "globex", user: "carol@globex.com", status: .notApplied,
                   usersMatched: 1, comment: "tab\there\\back"),
        RowOutcome(row: 6, line: 8, account: "", user: "", status: .invalid,
                   error: "missing required field \"account\"", comment: "", reason: "missing field"),
        RowOutcome(row: 7, line: 9, account: "initech", user: "dave@initech.com", status: .error,
                   error: "40001: could not serialize access\r\ndue to concurrent update",
                   comment: "bell\u{07}x", reason: "database error"),
    ]

    static let tenants = [
        TenantOutcome(account: "acme", accountID: UUID(uuidString: "6ba7b810-9dad-11d1-80b4-00c04fd430c8")!,
                      outcome: .committed, rows: 3, usersChanged: 1),
        TenantOutcome(account: "globex", accountID: nil, outcome: .rolledBack, rows: 2, usersChanged: 0),
        TenantOutcome(account: "initech", accountID: UUID(uuidString: "a8098c1a-f86e-11da-bd1a-00112444be1e")!,
                      outcome: .rolledBack, rows: 1, usersChanged: 0),
    ]

    static var summary: ReportSummary {
        var summary = ReportSummary()
        outcomes.forEach { summary.add($0) }
        summary.tenantsCommitted = 1
        summary.tenantsRolledBack = 2
        return summary
    }

    /// The rows as a CSV manifest reader would give them, header
    /// `account, user ,totp_enabled,API_Key,passkey_enabled,authorization` (no `comment`).
    static let csvColumns = ["account", " user ", "totp_enabled", "API_Key", "passkey_enabled", "authorization"]

    static let csvRawRows: [RawRow] = [
        RawRow(row: 1, line: 2, fields: csvFields("acme", "alice@acme.com", "true", "k-secret-1", "", "")),
        RawRow(row: 3, line: 4, fields: csvFields("acme", "bob@acme.com", "TRUE", "", "false", "Bearer eyJsecret")),
        RawRow(row: 4, line: 6, fields: csvFields("globex", "zoë@globex.com", " false ", "k-secret-2", "", "")),
        RawRow(row: 5, line: 7, fields: csvFields("globex", "carol@globex.com", "true", "", "", "")),
        RawRow(row: 6, line: 8, fields: csvFields("", "", "yes", "", "", "")),
        RawRow(row: 7, line: 9, fields: csvFields("initech", "dave@initech.com", "true", "", "", "")),
    ]

    private static func csvFields(_ values: String...) -> [RawField] {
        zip(csvColumns, values).map { RawField(name: $0, value: .string($1)) }
    }

    /// JSON rows keep their types; some have a `comment`, one a misspelt credential key.
    static let jsonRawRows: [RawRow] = [
        RawRow(row: 3, line: 9, fields: [
            RawField(name: "account", value: .string("acme")),
            RawField(name: "user", value: .string("bob@acme.com")),
            RawField(name: "comment", value: .string("old \"note\"")),
            RawField(name: "totp_enabled", value: .bool(true)),
            RawField(name: "api_key", value: .string("k-secret-1")),
        ]),
        RawRow(row: 4, line: 15, fields: [
            RawField(name: "account", value: .string("globex")),
            RawField(name: "user", value: .string("zoë@globex.com")),
            RawField(name: "totp_enabled", value: .string("true")),
            RawField(name: "passkey_enabled", value: .number("1")),
            RawField(name: "authorization", value: .string("Bearer eyJsecret")),
        ]),
        RawRow(row: 6, line: 21, fields: [
            RawField(name: "account", value: .null),
            RawField(name: "user", value: .object),
            RawField(name: "passkey_enabled", value: .array),
            RawField(name: "X-Api-Key", value: .string("k-secret-3")),
            RawField(name: "weight", value: .number("-1.5e+3")),
        ]),
    ]

    /// Outcomes for `jsonRawRows` (row 1-style successes are skipped by the writer).
    static let jsonOutcomes: [RowOutcome] = [
        outcomes[2],
        outcomes[3],
        outcomes[5],
    ]

    /// `Tests/MFABatchCoreTests/Fixtures/reports/NAME` (the package declares no resources).
    static func fixture(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/reports/\(name)")
    }

    static func fixtureText(_ name: String) throws -> String {
        try String(contentsOf: fixture(name), encoding: .utf8)
    }
}
