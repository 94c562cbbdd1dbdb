import Foundation

/// Step 1 of the order of checks (PRODUCT.md section 2), "schema → 400": turns a
/// `RawRow` into a `CheckedRow`, or a `RowDiagnostic` for the first problem found.
///
/// Fields are checked in the order the row gives them (first problem wins), then
/// the row as a whole: `account` and `user` present, at least one setting.
///
/// Decisions, all 400 (`invalid`), never an exception:
/// - An unknown field, naming it and a near miss. Its value is never echoed: a
///   misspelled credential field (`apikey`) would otherwise leak the secret.
/// - A duplicate field (JSON object with a key twice): which value was meant is
///   unknowable, so the row names the key and applies neither.
/// - Credentials: `api_key` a non-empty string, `authorization` `Bearer <JWT>`; both
///   in one row is ambiguous. Messages and `RowDiagnostic.value` never hold them.
/// - JSON is strictly typed: settings `true`/`false` only (`"true"`, `1`, `null` are
///   400); `account`, `user`, `api_key`, `authorization`, `comment` strings only
///   (`null` included: an absent field is written by leaving the key out).
/// - A NUL character (JSON `\u0000`) in any string value or field name, credentials
///   and unknown fields included: PostgreSQL text cannot hold it, so the row is 400
///   rather than stopping the run. A credential is never shown in the message.
/// - CSV cells are text: blanks around a value are ignored (except in `comment`,
///   echoed as written) and an empty cell is "not given", so a required field in an
///   empty cell is reported missing. Booleans are case-insensitive.
public struct RowValidator: Sendable {
    public let schema: SettingsSchema
    public let format: ManifestFormat
    /// `schema.allowedFields`: account, user, the settings, api_key, authorization, comment.
    let allowed: [String]
    /// (byte count, first byte) of each allowed field, compared before the full name:
    /// a mismatching `String ==` is the costliest thing in a row's check otherwise.
    private let allowedKeys: [(count: Int, first: UInt8)]
    /// Every possible `CheckedRow.settings` for schemas of up to four settings,
    /// indexed by `given | values << count`: a row then shares a ready array instead
    /// of allocating one (a measurable share of `validate`'s time per row).
    private let settingArrays: [[SettingChange]]

    public init(schema: SettingsSchema, format: ManifestFormat) {
        self.schema = schema
        self.format = format
        allowed = schema.allowedFields
        allowedKeys = allowed.map { ($0.utf8.count, $0.utf8.first ?? 0) }
        let n = schema.settings.count
        settingArrays = n > 4 ? [] : (0..<(1 << (2 * n))).map { key in
            Self.settingChanges(schema.settings, given: UInt64(key) & ((1 << UInt64(n)) - 1), values: UInt64(key) >> UInt64(n))
        }
    }

    /// The `SettingChange`s of the given bits, in schema order.
    private static func settingChanges(_ names: [String], given: UInt64, values: UInt64) -> [SettingChange] {
        var settings: [SettingChange] = []
        for (index, name) in names.enumerated() where given & (1 << UInt64(index)) != 0 {
            settings.append(SettingChange(field: name, value: values & (1 << UInt64(index)) != 0))
        }
        return settings
    }

    /// The position of `name` in `allowed`, or nil for an unknown field.
    func fieldIndex(_ name: String) -> Int? {
        let (count, first, _) = ByteText.edges(name)
        for (index, key) in allowedKeys.enumerated() where key.count == count && key.first == first {
            if allowed[index] == name { return index }
        }
        return nil
    }

    /// The row as a `CheckedRow`, or the first problem found.
    public func check(_ raw: RawRow) -> Result<CheckedRow, RowDiagnostic> {
        var state = RowState()
        if let diagnostic = inspect(raw, into: &state) { return .failure(diagnostic) }
        return .success(checkedRow(raw, state))
    }

    /// Only the verdict: nil for a valid row. Makes no `String` of a valid row, which
    /// is what lets `validate` count a million rows a second.
    public func diagnose(_ raw: RawRow) -> RowDiagnostic? {
        var state = RowState()
        return inspect(raw, into: &state)
    }

    /// Every check, recording where the accepted values are rather than copying them.
    /// (`state` is filled in place: it is a few hundred bytes, and copying it out in
    /// a `Result` showed up in the profile.)
    private func inspect(_ raw: RawRow, into state: inout RowState) -> RowDiagnostic? {
        var problem: Problem?
        raw.forEachField { index, name, value in
            problem = checkField(index, name: name, value: value, into: &state)
            return problem == nil
        }
        if let problem { return diagnostic(raw, problem) }
        if state.account == nil {
            return diagnostic(raw, .init(field: "account", value: nil,
                                         message: "account: missing (an account id or slug is required)",
                                         reason: "missing account"))
        }
        if state.user == nil {
            return diagnostic(raw, .init(field: "user", value: nil,
                                         message: "user: missing (a user id, an email or * is required)",
                                         reason: "missing user"))
        }
        if state.settingsGiven == 0 {
            return diagnostic(raw, .init(field: nil, value: nil,
                                         message: "no setting: give at least one of "
                                           + schema.settings.joined(separator: ", "),
                                         reason: "no setting"))
        }
        if state.apiKey != nil && state.bearer != nil {
            return diagnostic(raw, .init(field: "authorization", value: nil,
                                         message: "both authorization and api_key given: give one credential",
                                         reason: "ambiguous credential"))
        }
        return nil
    }

    /// The `CheckedRow` of a row `inspect` accepted: the only place its text is copied.
    private func checkedRow(_ raw: RawRow, _ state: RowState) -> CheckedRow {
        let account: AccountRef
        switch state.account! {
        case .id(let id): account = .id(id)
        case .slug(let text): account = .slug(raw.text(text))
        }
        let user: UserSelector
        switch state.user! {
        case .all: user = .all
        case .id(let id): user = .id(id)
        case .email(let text, let emailCase): user = .email(FieldSyntax.lowercased(raw.text(text), emailCase))
        }
        let settings = settingArrays.isEmpty
            ? Self.settingChanges(schema.settings, given: state.settingsGiven, values: state.settingValues)
            : settingArrays[Int(state.settingsGiven | (state.settingValues & state.settingsGiven) << UInt64(schema.settings.count))]
        let credential = state.bearer.map { Credential.bearer(raw.text($0)) } ?? state.apiKey.map { Credential.apiKey(raw.text($0)) }
        return CheckedRow(row: raw.row, line: raw.line, account: account, user: user, settings: settings,
                          credential: credential, comment: state.comment.map { EchoedText.shown(raw.text($0)) })
    }

    private func diagnostic(_ raw: RawRow, _ problem: Problem) -> RowDiagnostic {
        RowDiagnostic(row: raw.row, line: raw.line, field: problem.field, value: problem.value,
                      message: problem.message, reason: problem.reason)
    }
}

extension RowValidator {
    /// What has been read from the row so far. Settings and "seen" flags are bit
    /// sets (the schema has at most `SettingsSchema.maxSettings` settings), so a row
    /// costs no allocation until its `CheckedRow` is built.
    struct RowState {
        var account: AccountSyntax?
        var user: UserSyntax?
        /// Bit i: setting i was given; its value is bit i of `settingValues`.
        var settingsGiven: UInt64 = 0
        var settingValues: UInt64 = 0
        var apiKey: TextSpan?
        var bearer: TextSpan?
        var comment: TextSpan?
        /// Bit i: field i of `allowedFields` was seen (for duplicates).
        var seen: UInt64 = 0

        mutating func setSetting(_ index: Int, _ value: Bool) {
            settingsGiven |= 1 << UInt64(index)
            if value { settingValues |= 1 << UInt64(index) }
        }

        /// Records field `index`; false when it was already seen.
        mutating func markSeen(_ index: Int) -> Bool {
            let bit: UInt64 = 1 << UInt64(index)
            defer { seen |= bit }
            return seen & bit == 0
        }
    }

    /// Where in the row an accepted text value is: field, byte offset and length
    /// (a CSV value without its surrounding blanks, a bearer token without "Bearer ").
    struct TextSpan {
        var field: Int
        var offset: Int
        var count: Int
    }

    enum AccountSyntax {
        case id(UUID)
        case slug(TextSpan)
    }

    enum UserSyntax {
        case all
        case id(UUID)
        case email(TextSpan, FieldSyntax.EmailCase)
    }

    struct Problem {
        var field: String?
        var value: String?
        var message: String
        var reason: String
    }
}
