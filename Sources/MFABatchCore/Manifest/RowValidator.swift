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
/// - CSV cells are text: blanks around a value are ignored (except in `comment`,
///   echoed as written) and an empty cell is "not given", so a required field in an
///   empty cell is reported missing. Booleans are case-insensitive.
public struct RowValidator: Sendable {
    public let schema: SettingsSchema
    public let format: ManifestFormat
    let allowed: [String]

    public init(schema: SettingsSchema, format: ManifestFormat) {
        self.schema = schema
        self.format = format
        allowed = schema.allowedFields
    }

    public func check(_ raw: RawRow) -> Result<CheckedRow, RowDiagnostic> {
        var state = RowState(settingCount: schema.settings.count)
        for field in raw.fields {
            if let problem = checkField(field, into: &state) {
                return .failure(diagnostic(raw, problem))
            }
        }
        guard let account = state.account else {
            return .failure(diagnostic(raw, .init(field: "account", value: nil,
                                                  message: "account: missing (an account id or slug is required)",
                                                  reason: "missing account")))
        }
        guard let user = state.user else {
            return .failure(diagnostic(raw, .init(field: "user", value: nil,
                                                  message: "user: missing (a user id, an email or * is required)",
                                                  reason: "missing user")))
        }
        var settings: [SettingChange] = []
        for (index, value) in state.settings.enumerated() {
            if let value { settings.append(SettingChange(field: schema.settings[index], value: value)) }
        }
        if settings.isEmpty {
            return .failure(diagnostic(raw, .init(field: nil, value: nil,
                                                  message: "no setting: give at least one of "
                                                    + schema.settings.joined(separator: ", "),
                                                  reason: "no setting")))
        }
        if state.apiKey != nil && state.bearer != nil {
            return .failure(diagnostic(raw, .init(field: "authorization", value: nil,
                                                  message: "both authorization and api_key given: give one credential",
                                                  reason: "ambiguous credential")))
        }
        let credential = state.bearer.map(Credential.bearer) ?? state.apiKey.map(Credential.apiKey)
        return .success(CheckedRow(row: raw.row, line: raw.line, account: account, user: user, settings: settings,
                                   credential: credential, comment: state.comment))
    }

    private func diagnostic(_ raw: RawRow, _ problem: Problem) -> RowDiagnostic {
        RowDiagnostic(row: raw.row, line: raw.line, field: problem.field, value: problem.value,
                      message: problem.message, reason: problem.reason)
    }
}

extension RowValidator {
    /// What has been read from the row so far.
    struct RowState {
        var account: AccountRef?
        var user: UserSelector?
        var settings: [Bool?]
        var apiKey: String?
        var bearer: String?
        var comment: String?
        /// Which allowed fields were seen (index in `allowedFields`), for duplicates.
        var seen: Set<Int> = []
        var seenMask: UInt64 = 0

        init(settingCount: Int) {
            settings = [Bool?](repeating: nil, count: settingCount)
        }

        /// Records field `index`; false when it was already seen.
        mutating func markSeen(_ index: Int) -> Bool {
            if index < 64 {
                let bit: UInt64 = 1 << UInt64(index)
                defer { seenMask |= bit }
                return seenMask & bit == 0
            }
            return seen.insert(index).inserted
        }
    }

    struct Problem {
        var field: String?
        var value: String?
        var message: String
        var reason: String
    }
}
