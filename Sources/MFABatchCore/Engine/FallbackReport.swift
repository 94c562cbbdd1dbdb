import Foundation

/// The report of a run whose database is gone for good (exit 3): rebuilt from the
/// manifest and what the run knows in memory, the tenants that committed. Rows of
/// a committed tenant are reported as `error` saying their outcome is recorded in
/// the database (`mfa-batch runs show RUN_ID` once it is back); rows of any other
/// tenant, and rows that never reached one, are `not_applied`.
///
/// `from` is the first row to write (the rows before it were already reported from
/// the database); `begun` says whether `outputs.begin` was already called.
enum FallbackReport {
    static func write(input: ManifestInput, schema: SettingsSchema, run: inout RunInfo, tenants: [TenantOutcome],
                      outputs: RunOutputs, from firstRow: Int = 1, begun: Bool = false) throws {
        var committed = Set<String>()
        for tenant in tenants where tenant.outcome == .committed {
            committed.insert(tenant.account)
            if let id = tenant.accountID { committed.insert(id.uuidString.lowercased()) }
        }
        if !begun { try outputs.begin(run: run) }
        let reader = try input.open(schema: schema)
        let validator = RowValidator(schema: schema, format: reader.format)
        while let raw = try reader.next() {
            if raw.row < firstRow { continue }
            let checked: CheckedRow
            switch validator.check(raw) {
            case .failure(let diagnostic):
                try outputs.write(RowOutcome(diagnostic, raw: raw), raw: outputs.wantsRawRows ? raw : nil)
                continue
            case .success(let row):
                checked = row
            }
            let isCommitted = committed.contains(checked.account.description)
            let outcome = RowOutcome(
                row: raw.row, line: raw.line, account: raw.text("account"), user: raw.text("user"),
                status: isCommitted ? .error : .notApplied,
                error: isCommitted
                    ? "database connection lost after this tenant committed; the row's outcome is in the database (mfa-batch runs show \(run.id?.uuidString.lowercased() ?? ""))"
                    : "not applied: the database connection was lost",
                comment: raw.commentText, reason: isCommitted ? "database connection lost" : "not applied")
            try outputs.write(outcome, raw: outputs.wantsRawRows ? raw : nil)
        }
        run.finishedAt = Date.nowMilliseconds()
        try outputs.finish(run: run, tenants: tenants)
    }
}
