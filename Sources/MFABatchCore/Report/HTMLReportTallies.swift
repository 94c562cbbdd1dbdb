import Foundation

/// What the `.html` report counts as rows go by, so that it can show figures of the
/// whole run while keeping only the first rows themselves: per setting (run-wide
/// and per tenant) the rows that turn it on and off and the users those rows
/// changed, and the failures grouped by reason with a few example rows.
///
/// Per-user detail (which user gained or lost which setting) is not in the report's
/// rows, and a dry run writes no audit trail to take it from: the page counts rows
/// and the users they changed, and says so. Memory is bounded: at most
/// `accountLimit` accounts and `reasonLimit` reasons are tallied (the page says when
/// that cut anything off), and `examplesPerReason` rows are kept per reason.
struct HTMLReportTallies {
    static let accountLimit = 100_000
    static let reasonLimit = 200
    static let examplesPerReason = 3

    /// Rows turning one setting on or off, and the users they changed.
    struct SettingCounts: Equatable {
        var onRows = 0
        var offRows = 0
        var onUsers = 0
        var offUsers = 0

        var isEmpty: Bool { onRows == 0 && offRows == 0 }
    }

    struct Failure {
        var status: RowStatus
        var count = 0
        var examples: [RowOutcome] = []
    }

    let settings: [String]
    /// Run-wide, indexed like `settings`.
    private(set) var total: [SettingCounts]
    /// Per account as the rows spell it (lower-cased), indexed like `settings`.
    private(set) var perAccount: [String: [SettingCounts]] = [:]
    private(set) var accountsCutOff = false
    /// Whether any row came with its manifest values (not a re-export from history).
    private(set) var sawValues = false
    private(set) var failures: [String: Failure] = [:]
    /// Failure reasons in the order first seen.
    private(set) var reasonOrder: [String] = []
    private(set) var reasonsCutOff = 0

    init(settings: [String]) {
        self.settings = settings
        total = Array(repeating: SettingCounts(), count: settings.count)
    }

    mutating func add(_ row: RowOutcome, raw: RawRow?) {
        if let raw { addSettings(row, raw) }
        guard !row.status.isSuccess else { return }
        let reason = row.reason ?? row.status.rawValue
        if failures[reason] == nil {
            guard failures.count < Self.reasonLimit else {
                reasonsCutOff += 1
                return
            }
            failures[reason] = Failure(status: row.status)
            reasonOrder.append(reason)
        }
        failures[reason]!.count += 1
        if failures[reason]!.examples.count < Self.examplesPerReason { failures[reason]!.examples.append(row) }
    }

    /// The counts of an account: the rows that named it by slug and by id together.
    func counts(account: String, accountID: String?) -> [SettingCounts]? {
        var keys = [account.lowercased()]
        if let accountID, accountID != keys[0] { keys.append(accountID) }
        let found = keys.compactMap { perAccount[$0] }
        guard !found.isEmpty else { return nil }
        return settings.indices.map { index in
            found.reduce(into: SettingCounts()) { sum, counts in
                sum.onRows += counts[index].onRows
                sum.offRows += counts[index].offRows
                sum.onUsers += counts[index].onUsers
                sum.offUsers += counts[index].offUsers
            }
        }
    }

    private mutating func addSettings(_ row: RowOutcome, _ raw: RawRow) {
        sawValues = true
        let users = row.usersChanged ?? 0
        let key = row.account.lowercased()
        var tenant = perAccount[key]
        if tenant == nil && perAccount.count >= Self.accountLimit { accountsCutOff = true }
        for (index, setting) in settings.enumerated() {
            guard let value = Self.bool(raw.value(setting)) else { continue }
            Self.count(&total[index], on: value, users: users)
            if tenant != nil || perAccount.count < Self.accountLimit {
                if tenant == nil { tenant = Array(repeating: SettingCounts(), count: settings.count) }
                Self.count(&tenant![index], on: value, users: users)
            }
        }
        if let tenant { perAccount[key] = tenant }
    }

    private static func count(_ counts: inout SettingCounts, on: Bool, users: Int) {
        if on {
            counts.onRows += 1
            counts.onUsers += users
        } else {
            counts.offRows += 1
            counts.offUsers += users
        }
    }

    /// A setting's value as the validator reads it: a JSON boolean, or a CSV cell
    /// `true`/`false` in any case with blanks around; anything else is not counted.
    static func bool(_ value: RawValue?) -> Bool? {
        switch value {
        case .bool(let value)?: return value
        case .string(let text)?:
            switch text.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true": return true
            case "false": return false
            default: return nil
            }
        default: return nil
        }
    }
}
