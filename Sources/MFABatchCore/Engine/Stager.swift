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
            var values: [String?] = []
            while let raw = try reader.next() {
                totals.rows += 1
                values.removeAll(keepingCapacity: true)
                values.append(run)
                try fields(for: raw, validator: validator, into: &values)
                try writer.write(values)
            }
        }
        return totals
    }

    /// Appends the COPY fields after `run_id`, in `columns` order.
    private func fields(for raw: RawRow, validator: RowValidator, into values: inout [String?]) throws {
        values.append(String(raw.row))
        values.append(String(raw.line))
        values.append(raw.text("account"))
        values.append(raw.text("user"))
        switch validator.check(raw) {
        case .failure(let diagnostic):
            // Still attributed to its tenant when the account is legible: without
            // --partial, any failing row keeps its tenant from committing.
            let accountID = try legibleAccount(raw).flatMap { try authorizer.account(for: $0) }?.id
            values.append(raw.commentText)
            values.append(accountID?.postgresText)
            // Its user too, so that `*` rows leave that user alone under --partial.
            appendSelector(legibleUser(raw), to: &values)
            values.append(contentsOf: [nil, nil, nil, RowStatus.invalid.rawValue, diagnostic.message, diagnostic.reason])
        case .success(let checked):
            let stored = try authorizer.account(for: checked.account)
            values.append(checked.comment)
            values.append(stored?.id.postgresText)
            appendSelector(checked.user, to: &values)
            values.append(settingsJSON(checked.settings))
            var denial: AuthDenial?
            var principal: Principal?
            switch try authorizer.authorize(checked, account: stored) {
            case .denied(let reason): denial = reason
            case .granted(let granted):
                principal = granted
                // What needs no user lookup is decided now: `*`, or another user's id
                // (an email is checked once resolved, in the tenant's transaction).
                switch checked.user {
                case .email: break
                case .all, .id: denial = authorizer.checkUser(principal: granted, row: checked, resolvedUserID: nil)
                }
            }
            if let denial {
                values.append(contentsOf: [nil, nil, RowStatus.unauthorized.rawValue, denial.message, denial.reason])
            } else {
                values.append(contentsOf: [principal?.credentialID, principal?.restrictedToUser?.postgresText, nil, nil, nil])
            }
        }
    }

    /// `user_ref_id, user_email, user_all` (all NULL but `user_all` = false when the
    /// row names no legible user).
    private func appendSelector(_ user: UserSelector?, to values: inout [String?]) {
        switch user {
        case .id(let id)?: values.append(contentsOf: [id.postgresText, nil, "f"])
        case .email(let email)?: values.append(contentsOf: [nil, email, "f"])
        case .all?: values.append(contentsOf: [nil, nil, "t"])
        case nil: values.append(contentsOf: [nil, nil, "f"])
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
