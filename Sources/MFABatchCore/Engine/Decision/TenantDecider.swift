import Foundation

/// Steps 3–5 of a row's checks (PRODUCT.md §2) and the changes they allow, for one
/// tenant: a pure function of the tenant's rows and the users they touch, read
/// inside the tenant's transaction. No database access; every rule of the desired
/// state reads as Swift here.
///
/// 1. Resolution: a row naming a user must find it, not deleted (400); a token
///    without `mfa:admin` naming someone else by email is a 401 either way.
/// 2. Desired state: per user and setting, the rows of the highest specificity
///    decide (a named user beats `*`). `*` leaves alone a user whose own row failed,
///    for the settings that row names, when that row's credential is valid.
/// 3. Policy (`mfa_required`): rows that would leave a user who has a factor with
///    none are 400. 4. Conflicts: rows of one specificity disagreeing on a user's
///    setting are 400.
/// 5. Without `partial`, any failed row keeps the tenant from changing anything.
///    With it, changes that a failed row took part in deciding are dropped, and the
///    policy is checked again on what remains, until no more rows fail.
public struct TenantDecider: Sendable {
    /// Setting names, in spec order (the bit indexes of `SettingBits`).
    public var settings: [String]
    /// The account as shown in messages (its slug).
    public var account: String
    public var mfaRequired: Bool
    public var partial: Bool
    public var dryRun: Bool

    public init(settings: [String], account: String, mfaRequired: Bool, partial: Bool, dryRun: Bool) {
        self.settings = settings
        self.account = account
        self.mfaRequired = mfaRequired
        self.partial = partial
        self.dryRun = dryRun
    }

    /// - Parameter rows: the tenant's rows in manifest order (the first of identical
    ///   rows is credited, and a conflict names the first other row, by position).
    public func decide(rows: [TenantRow], users: [TenantUser]) -> TenantDecision {
        var state = DecisionState(decider: self, rows: rows, users: users)
        state.resolve()
        state.fillDesired()
        if mfaRequired { state.enforcePolicy(onEffective: false) }
        state.markConflicts()
        let failed = state.verdicts.contains { $0 != nil }
        if failed && !partial {
            return TenantDecision(verdicts: state.finalVerdicts(changedStatus: nil), changes: [], audit: [])
        }
        state.fillEffective()
        if failed {
            while true {
                state.pruneEffective()
                guard mfaRequired, state.enforcePolicy(onEffective: true) else { break }
            }
        }
        let changed: RowStatus = dryRun ? .wouldChange : .changed
        return TenantDecision(verdicts: state.finalVerdicts(changedStatus: changed), changes: state.userChanges(),
                              audit: state.auditEntries())
    }
}

/// The working state of one decision. Users and rows are referred to by index.
private struct DecisionState {
    let decider: TenantDecider
    let rows: [TenantRow]
    let users: [TenantUser]
    let fieldCount: Int

    /// Verdicts decided so far (nil: still open). Pre-failed rows start decided.
    var verdicts: [RowVerdict?]
    var usersMatched: [Int?]
    /// The (non-deleted) user a row naming one user resolved to, also for rows that
    /// failed, so that `*` can leave their user alone.
    var resolved: [Int?]

    /// A row's vote on one setting.
    struct Decider {
        var row: Int
        var value: Bool
    }
    /// Open `*` rows' votes, per setting.
    var everyone: [[Decider]]
    /// Open named rows' votes, per `key(user, field)`.
    var named: [Int: [Decider]] = [:]
    /// (user, field) pairs that `*` leaves alone because a failed row names them.
    var heldBack: Set<Int> = []
    /// The users the desired state covers, in index order.
    var coveredUsers: [Int] = []

    struct Change {
        var user: Int
        var field: Int
        var value: Bool
        var specific: Bool
        /// The first deciding row (identical duplicates are credited to the first).
        var credit: Int
    }
    var effective: [Change] = []

    init(decider: TenantDecider, rows: [TenantRow], users: [TenantUser]) {
        self.decider = decider
        self.rows = rows
        self.users = users
        fieldCount = decider.settings.count
        verdicts = rows.map { row in
            row.failure?.verdict
        }
        usersMatched = Array(repeating: nil, count: rows.count)
        resolved = Array(repeating: nil, count: rows.count)
        everyone = Array(repeating: [], count: fieldCount)
    }

    func key(_ user: Int, _ field: Int) -> Int { user * fieldCount + field }

    // MARK: Resolution

    mutating func resolve() {
        var byID: [UUID: Int] = [:]
        var byEmail: [String: Int] = [:]
        byID.reserveCapacity(users.count)
        let byEmailNeeded = rows.contains { if case .email = $0.selector { return true } else { return false } }
        for (index, user) in users.enumerated() {
            byID[user.id] = index
            if byEmailNeeded { for key in user.emailKeys { byEmail[key] = index } }
        }
        let everyoneCount = users.reduce(0) { $0 + ($1.deleted ? 0 : 1) }
        for (index, row) in rows.enumerated() {
            let found: Int?
            switch row.selector {
            case .id(let id)?: found = byID[id]
            case .email(let email)?: found = byEmail[email]
            case .all?:
                if verdicts[index] == nil { usersMatched[index] = everyoneCount }
                continue
            case nil: continue
            }
            if let found, !users[found].deleted { resolved[index] = found }
            if verdicts[index] == nil {
                if let found {
                    if users[found].deleted {
                        verdicts[index] = RowVerdict(status: .invalid, error: "user: \(row.user) is deleted",
                                                     reason: "user deleted")
                    } else {
                        usersMatched[index] = 1
                    }
                } else {
                    verdicts[index] = RowVerdict(status: .invalid,
                                                 error: "user: \(row.user) not found in account \(row.account)",
                                                 reason: "user not found")
                }
            }
            // A user token naming someone else by email (or no one) learns nothing:
            // a 401 whether or not the email exists.
            if case .email = row.selector, let own = row.principal?.restrictedToUser,
               resolved[index].map({ users[$0].id }) != own,
               verdicts[index] == nil || verdicts[index]?.reason == "user not found"
                || verdicts[index]?.reason == "user deleted", row.failure == nil {
                verdicts[index] = RowVerdict(status: .unauthorized, error: AuthDenial.tokenOtherUser.message,
                                             reason: AuthDenial.tokenOtherUser.reason)
                usersMatched[index] = nil
            }
        }
    }

    /// Whether a row's credential proves who sent it, for this row's user: granted for
    /// the account, and, for a token confined to its own user, naming that user.
    func credentialValid(_ index: Int) -> Bool {
        guard let principal = rows[index].principal else { return false }
        guard let own = principal.restrictedToUser else { return true }
        switch rows[index].selector {
        case .id(let id)?: return id == own
        case .email?: return resolved[index].map { users[$0].id } == own
        case .all?, nil: return false
        }
    }

    /// The settings a failed named row holds back from `*` for its user: those it
    /// names (all of them when they cannot be read), when its credential is valid.
    func heldBackMask(_ index: Int) -> UInt64? {
        guard resolved[index] != nil, credentialValid(index) else { return nil }
        guard let settings = rows[index].settings, settings.mask != 0 else { return .max }
        return settings.mask
    }

    // MARK: Desired state

    mutating func fillDesired() {
        var covered = Set<Int>()
        var hasEveryone = false
        for (index, row) in rows.enumerated() {
            if verdicts[index] != nil {
                // Failed before the desired state: its user may be held back from `*`.
                if let user = resolved[index], let mask = heldBackMask(index) {
                    for field in 0..<fieldCount where mask & (1 << UInt64(field)) != 0 {
                        heldBack.insert(key(user, field))
                    }
                }
                continue
            }
            guard let settings = row.settings else { continue }
            switch row.selector {
            case .all?:
                hasEveryone = true
                for field in 0..<fieldCount {
                    if let value = settings.value(field) { everyone[field].append(Decider(row: index, value: value)) }
                }
            case .id?, .email?:
                guard let user = resolved[index] else { continue }
                covered.insert(user)
                for field in 0..<fieldCount {
                    if let value = settings.value(field) {
                        named[key(user, field), default: []].append(Decider(row: index, value: value))
                    }
                }
            case nil: continue
            }
        }
        if hasEveryone {
            for (index, user) in users.enumerated() where !user.deleted { covered.insert(index) }
        }
        coveredUsers = covered.sorted()
    }

    /// The rows deciding `field` of `user` (the most specific ones), and whether they
    /// name the user; empty when none does.
    func deciders(_ user: Int, _ field: Int) -> (list: [Decider], specific: Bool) {
        if let list = named[key(user, field)] { return (list, true) }
        if everyone[field].isEmpty || heldBack.contains(key(user, field)) || users[user].deleted { return ([], false) }
        return (everyone[field], false)
    }

    /// The value all `list` agree on, or nil when they disagree.
    static func agreed(_ list: [Decider]) -> Bool? {
        guard let first = list.first?.value else { return nil }
        return list.allSatisfy { $0.value == first } ? first : nil
    }

    // MARK: Policy and conflicts

    /// The `mfa_required` policy: every open row that sets a factor to false for a user
    /// who has a factor now and would have none is invalid. On the desired state
    /// (agreeing settings; conflicting ones count as unchanged), or, with
    /// `onEffective`, on the changes that will really be applied. Returns whether a
    /// row failed.
    @discardableResult
    mutating func enforcePolicy(onEffective: Bool) -> Bool {
        // Per culprit row: users stripped, and the first of their emails.
        var culprits: [Int: (users: Int, email: String, lastUser: Int)] = [:]
        func blame(_ user: Int, _ field: Int, _ culprits: inout [Int: (users: Int, email: String, lastUser: Int)]) {
            for decider in deciders(user, field).list where verdicts[decider.row] == nil {
                let email = users[user].email
                if var entry = culprits[decider.row] {
                    if entry.lastUser != user {
                        entry.users += 1
                        entry.lastUser = user
                        if email < entry.email { entry.email = email }
                    }
                    culprits[decider.row] = entry
                } else {
                    culprits[decider.row] = (1, email, user)
                }
            }
        }
        if onEffective {
            var start = 0
            while start < effective.count {
                let user = effective[start].user
                var end = start
                var after = SettingBits.all(fieldCount, values: users[user].settings)
                while end < effective.count && effective[end].user == user {
                    after.set(effective[end].field, effective[end].value)
                    end += 1
                }
                if SettingBits.all(fieldCount, values: users[user].settings).anyTrue && !after.anyTrue {
                    for change in effective[start..<end] where !change.value { blame(user, change.field, &culprits) }
                }
                start = end
            }
        } else {
            for user in coveredUsers {
                let before = SettingBits.all(fieldCount, values: users[user].settings)
                guard before.anyTrue else { continue }
                var after = before
                var falsified: [Int] = []
                for field in 0..<fieldCount {
                    guard let value = Self.agreed(deciders(user, field).list) else { continue }
                    after.set(field, value)
                    if !value { falsified.append(field) }
                }
                if !after.anyTrue {
                    for field in falsified { blame(user, field, &culprits) }
                }
            }
        }
        for (row, culprit) in culprits {
            let error = culprit.users == 1
                ? "would leave user \(culprit.email) with no MFA factor, but account \(decider.account) requires MFA"
                : "would leave \(culprit.users) users (e.g. \(culprit.email)) with no MFA factor, but account \(decider.account) requires MFA"
            verdicts[row] = RowVerdict(status: .invalid, error: error, reason: "would leave a user without MFA")
        }
        return !culprits.isEmpty
    }

    /// Rows of the same specificity giving a user's setting different values: each is
    /// invalid, naming the first other row (then the field, then the user's email).
    mutating func markConflicts() {
        var conflicts: [Int: (other: Int, field: String, email: String)] = [:]
        for user in coveredUsers {
            for field in 0..<fieldCount {
                let list = deciders(user, field).list
                guard list.count > 1, Self.agreed(list) == nil else { continue }
                for decider in list {
                    guard let other = list.first(where: { $0.value != decider.value }) else { continue }
                    let candidate = (other: rows[other.row].row, field: self.decider.settings[field], email: users[user].email)
                    if let current = conflicts[decider.row],
                       (current.other, current.field, current.email) <= (candidate.other, candidate.field, candidate.email) {
                        continue
                    }
                    conflicts[decider.row] = candidate
                }
            }
        }
        for (row, conflict) in conflicts where verdicts[row] == nil {
            verdicts[row] = RowVerdict(status: .invalid,
                                       error: "\(conflict.field) for user \(conflict.email): conflicts with row \(conflict.other)",
                                       reason: "conflicting rows")
        }
    }

    // MARK: Effective changes

    /// Settings whose deciding rows are all open and agree, and that differ from the
    /// user's current value; grouped by user.
    mutating func fillEffective() {
        for user in coveredUsers {
            let before = users[user].settings
            for field in 0..<fieldCount {
                let (list, specific) = deciders(user, field)
                guard let value = Self.agreed(list), list.allSatisfy({ verdicts[$0.row] == nil }) else { continue }
                guard (before & (1 << UInt64(field)) != 0) != value else { continue }
                effective.append(Change(user: user, field: field, value: value, specific: specific, credit: list[0].row))
            }
        }
    }

    /// With `partial`, after rows failed: drop every change a failed row took part in
    /// deciding, and every change `*` decides for a user whose own row failed naming
    /// that setting (when that row's credential is valid).
    mutating func pruneEffective() {
        var holds: Set<Int> = []
        for index in rows.indices where verdicts[index] != nil {
            guard let user = resolved[index], let mask = heldBackMask(index) else { continue }
            for field in 0..<fieldCount where mask & (1 << UInt64(field)) != 0 { holds.insert(key(user, field)) }
        }
        effective = effective.filter { change in
            !(deciders(change.user, change.field).list.contains { verdicts[$0.row] != nil }
                || (!change.specific && holds.contains(key(change.user, change.field))))
        }
    }

    // MARK: Results

    func userChanges() -> [UserChange] {
        var changes: [UserChange] = []
        var index = 0
        while index < effective.count {
            let user = effective[index].user
            let before = users[user].settings
            var after = SettingBits.all(fieldCount, values: before)
            while index < effective.count && effective[index].user == user {
                after.set(effective[index].field, effective[index].value)
                index += 1
            }
            changes.append(UserChange(user: users[user].id, before: before, after: after.values))
        }
        return changes
    }

    /// One entry per user and deciding row, rows applied in manifest order.
    func auditEntries() -> [AuditEntry] {
        var entries: [AuditEntry] = []
        var index = 0
        while index < effective.count {
            let user = effective[index].user
            var end = index
            while end < effective.count && effective[end].user == user { end += 1 }
            let credits = Set(effective[index..<end].map(\.credit)).sorted { rows[$0].row < rows[$1].row }
            var state = SettingBits.all(fieldCount, values: users[user].settings)
            for credit in credits {
                let before = state.values
                for change in effective[index..<end] where change.credit == credit { state.set(change.field, change.value) }
                entries.append(AuditEntry(user: users[user].id, row: rows[credit].row,
                                          credential: rows[credit].principal?.credentialID ?? "unknown",
                                          before: before, after: state.values))
            }
            index = end
        }
        return entries
    }

    /// Every row's verdict. `changedStatus` nil: the tenant applies nothing, its open
    /// rows are `not_applied`; else rows credited with a change get it, the rest are
    /// `unchanged`.
    func finalVerdicts(changedStatus: RowStatus?) -> [RowVerdict] {
        var credited: [Int: Int] = [:]
        var lastUser: [Int: Int] = [:]
        for change in effective where lastUser[change.credit] != change.user {
            lastUser[change.credit] = change.user
            credited[change.credit, default: 0] += 1
        }
        return rows.indices.map { index in
            if var verdict = verdicts[index] {
                if rows[index].failure == nil && verdict.status == .invalid { verdict.usersMatched = usersMatched[index] }
                return verdict
            }
            guard let changedStatus else {
                var notApplied = RowVerdict.notApplied
                notApplied.usersMatched = usersMatched[index]
                return notApplied
            }
            let changed = credited[index] ?? 0
            return RowVerdict(status: changed > 0 ? changedStatus : .unchanged, usersMatched: usersMatched[index],
                              usersChanged: changed)
        }
    }
}
