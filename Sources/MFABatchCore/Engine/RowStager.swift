import Foundation
import Postgres

/// Step one of a run: streams the manifest into the run's local spool, each row
/// schema-checked (step 1) and authorized (step 2, each distinct credential verified
/// once per run) on the way, and grouped by tenant. What is kept of a row is its
/// selector, settings and verdict, never its credential. One row in memory at a time.
///
/// A row that failed the schema check is still tied to its tenant and user when they
/// are legible (without `--partial`, any failing row keeps its tenant from
/// committing), and its credential is still checked, without changing its status,
/// so that `--partial` knows whether it may hold its user back from `*` rows.
struct RowStager {
    let schema: SettingsSchema
    let authorizer: Authorizer

    /// How staging ended. After a signal or a lost database, the rest of the
    /// manifest is still read (schema check only, no database), so that the report
    /// can give every row its outcome.
    enum End: Equatable {
        case complete
        case interrupted
        case databaseLost(PostgresError)

        static func == (lhs: End, rhs: End) -> Bool {
            switch (lhs, rhs) {
            case (.complete, .complete), (.interrupted, .interrupted), (.databaseLost, .databaseLost): return true
            default: return false
            }
        }
    }

    func stage(_ reader: any ManifestReader, into spool: RunSpool, interruption: Interruption = Interruption()) throws -> End {
        let validator = RowValidator(schema: schema, format: reader.format)
        var end = End.complete
        while let raw = try reader.next() {
            if end == .complete, interruption.requested != nil { end = .interrupted }
            if end != .complete {
                try stageOffline(raw, validator, into: spool)
                continue
            }
            do {
                try stageRow(raw, validator, into: spool)
            } catch let error as PostgresError where error.isConnectionLost {
                end = .databaseLost(error)
                try stageOffline(raw, validator, into: spool)
            } catch let error as PostgresError where interruption.requested != nil {
                // A lookup cancelled by the signal (it was waiting on a lock).
                _ = error
                end = .interrupted
                try stageOffline(raw, validator, into: spool)
            }
        }
        return end
    }

    /// A row read after staging stopped: its schema verdict only, tied to no tenant.
    private func stageOffline(_ raw: RawRow, _ validator: RowValidator, into spool: RunSpool) throws {
        var failure: TenantRow.Failure?
        if case .failure(let diagnostic) = validator.check(raw) {
            failure = .init(status: .invalid, error: diagnostic.message, reason: diagnostic.reason)
        }
        let row = TenantRow(row: raw.row, account: raw.text("account"), user: raw.text("user"), selector: nil,
                            settings: nil, failure: failure)
        try spool.append(SpooledRow(row: row, line: raw.line, comment: raw.commentText),
                         accountID: nil, slug: nil, granted: false)
    }

    private func stageRow(_ raw: RawRow, _ validator: RowValidator, into spool: RunSpool) throws {
        switch validator.check(raw) {
        case .failure(let diagnostic):
            let stored = try legibleAccount(raw).flatMap { try authorizer.account(for: $0) }
            let selector = legibleUser(raw)
            var principal: Principal?
            if let stored, let selector {
                principal = try grantedPrincipal(
                    CheckedRow(row: raw.row, line: raw.line, account: .id(stored.id), user: selector, settings: [],
                               credential: credential(in: raw), comment: nil), stored)
            }
            let row = TenantRow(
                row: raw.row, account: raw.text("account"), user: raw.text("user"), selector: selector,
                settings: readableSettings(raw),
                failure: .init(status: .invalid, error: diagnostic.message, reason: diagnostic.reason),
                principal: principal)
            try spool.append(SpooledRow(row: row, line: raw.line, comment: raw.commentText),
                             accountID: stored?.id, slug: stored?.slug, granted: false)
        case .success(let checked):
            let stored = try authorizer.account(for: checked.account)
            var failure: TenantRow.Failure?
            var principal: Principal?
            switch try authorizer.authorize(checked, account: stored) {
            case .denied(let denial):
                failure = .init(status: .unauthorized, error: denial.message, reason: denial.reason)
            case .granted(let granted):
                // What needs no user lookup is decided now: `*`, or another user's id
                // (an email is checked once resolved, in the tenant's decision).
                if case .email = checked.user {
                    principal = granted
                } else if let denial = authorizer.checkUser(principal: granted, row: checked, resolvedUserID: nil) {
                    failure = .init(status: .unauthorized, error: denial.message, reason: denial.reason)
                } else {
                    principal = granted
                }
            }
            let row = TenantRow(row: checked.row, account: raw.text("account"), user: raw.text("user"),
                                selector: checked.user, settings: SettingBits(checked.settings, names: schema.settings),
                                failure: failure, principal: principal)
            try spool.append(SpooledRow(row: row, line: raw.line, comment: checked.comment),
                             accountID: stored?.id, slug: stored?.slug, granted: principal != nil)
        }
    }

    /// The principal a failed row's credential is granted as, for its own user (nil
    /// when denied, or when a user token names someone else by id or `*`).
    private func grantedPrincipal(_ row: CheckedRow, _ account: StoredAccount) throws -> Principal? {
        guard case .granted(let principal) = try authorizer.authorize(row, account: account) else { return nil }
        if case .email = row.user { return principal }
        return authorizer.checkUser(principal: principal, row: row, resolvedUserID: nil) == nil ? principal : nil
    }

    /// The row's own credential, when it gives exactly one legible one.
    private func credential(in raw: RawRow) -> Credential? {
        var found: [Credential] = []
        if case .string(let key)? = raw.value("api_key"), !key.isEmpty { found.append(.apiKey(key)) }
        if case .string(var header)? = raw.value("authorization") {
            // The validator's own reading of `Bearer <JWT>`, so both agree on the token.
            let token: String? = header.withUTF8 { bytes in
                FieldSyntax.bearerTokenOffset(bytes).map { String(decoding: bytes[$0...], as: UTF8.self) }
            }
            if let token { found.append(.bearer(token.trimmingCharacters(in: .whitespaces))) }
        }
        return found.count == 1 ? found[0] : nil
    }

    /// The settings a failed row names: nil when one of them cannot be read.
    private func readableSettings(_ raw: RawRow) -> SettingBits? {
        var bits = SettingBits()
        for (index, name) in schema.settings.enumerated() {
            switch raw.value(name) {
            case nil: continue
            case .bool(let value)?: bits.set(index, value)
            case .string(let text)?:
                switch text.trimmingCharacters(in: .whitespaces).lowercased() {
                case "": continue
                case "true": bits.set(index, true)
                case "false": bits.set(index, false)
                default: return nil
                }
            default: return nil
            }
        }
        return bits
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
