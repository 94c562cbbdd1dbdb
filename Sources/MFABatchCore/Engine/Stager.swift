import Foundation
import Postgres

/// Streams the manifest into `run_rows` with one COPY: each row schema-checked
/// (step 1) and authorized (step 2, each distinct credential verified once per
/// run), so that what reaches PostgreSQL is the row's selector, settings and
/// verdict — never its credential. Memory stays flat: one row at a time.
///
/// Uses two connections: COPY occupies `copy`, while account and credential
/// lookups go through the authorizer's own connection.
struct Stager {
    let runID: UUID
    let schema: SettingsSchema
    let authorizer: Authorizer

    struct Totals {
        var rows = 0
    }

    static let columns = """
        run_id, row_no, line, account, user_text, comment, account_id, user_ref_id, user_email, user_all,
        settings, principal, restricted_to, status, error, reason
        """

    func stage(_ reader: any ManifestReader, into copy: Connection) throws -> Totals {
        let validator = RowValidator(schema: schema, format: reader.format)
        var totals = Totals()
        let run = runID.postgresText
        try copy.copyIn("COPY run_rows (\(Stager.columns)) FROM STDIN") { writer in
            while let raw = try reader.next() {
                totals.rows += 1
                try writer.write([run] + (try fields(for: raw, validator: validator)))
            }
        }
        return totals
    }

    /// The COPY fields after `run_id`, in `columns` order.
    private func fields(for raw: RawRow, validator: RowValidator) throws -> [String?] {
        let row = String(raw.row), line = String(raw.line)
        let account = raw.text("account"), user = raw.text("user")
        switch validator.check(raw) {
        case .failure(let diagnostic):
            // Still attributed to its tenant when the account is legible: without
            // --partial, any failing row keeps its tenant from committing.
            let accountID = try legibleAccount(raw).flatMap { try authorizer.account(for: $0) }?.id
            // Its user too, so that `*` rows leave that user alone under --partial.
            let selector = legibleUser(raw).map(selectorFields) ?? [nil, nil, "f"]
            return [row, line, account, user, raw.commentText, accountID?.postgresText] + selector
                + [nil, nil, nil, RowStatus.invalid.rawValue, diagnostic.message, diagnostic.reason]
        case .success(let checked):
            let stored = try authorizer.account(for: checked.account)
            let selector = selectorFields(checked.user)
            let settings = settingsJSON(checked.settings)
            var denial: AuthDenial?
            var principal: Principal?
            switch try authorizer.authorize(checked, account: stored) {
            case .denied(let reason): denial = reason
            case .granted(let granted):
                principal = granted
                // What needs no user lookup is decided now: `*`, or another user's id.
                if case .email = checked.user {} else {
                    let named: UUID? = if case .id(let id) = checked.user { id } else { nil }
                    denial = authorizer.checkUser(principal: granted, row: checked, resolvedUserID: named)
                }
            }
            if let denial {
                return [row, line, account, user, checked.comment, stored?.id.postgresText] + selector
                    + [settings, nil, nil, RowStatus.unauthorized.rawValue, denial.message, denial.reason]
            }
            return [row, line, account, user, checked.comment, stored?.id.postgresText] + selector
                + [settings, principal?.credentialID, principal?.restrictedToUser?.postgresText, nil, nil, nil]
        }
    }

    private func selectorFields(_ user: UserSelector) -> [String?] {
        switch user {
        case .id(let id): return [id.postgresText, nil, "f"]
        case .email(let email): return [nil, email, "f"]
        case .all: return [nil, nil, "t"]
        }
    }

    private func settingsJSON(_ settings: [SettingChange]) -> String {
        "{" + settings.map { "\"\($0.field)\": \($0.value)" }.joined(separator: ", ") + "}"
    }

    /// The user of a row that failed the schema check, if its user field names one.
    private func legibleUser(_ raw: RawRow) -> UserSelector? {
        guard case .string(let text)? = raw.value("user") else { return nil }
        return FieldSyntax.legibleUser(text)
    }

    /// The account of a row that failed the schema check, if its account field is
    /// well-formed.
    private func legibleAccount(_ raw: RawRow) -> AccountRef? {
        guard case .string(let text)? = raw.value("account") else { return nil }
        return FieldSyntax.legibleAccount(text)
    }
}
