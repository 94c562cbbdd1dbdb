import Foundation
import Testing
@testable import MFABatchCore

/// `TenantDecider` against a deliberately naive reference written here from the rules
/// (PRODUCT.md §2–§4 and the decision's precise rules), on 20,000 random small tenants
/// (fixed seed, `SplitMix64`): every verdict, every change and every audit entry must
/// be the same.
///
/// The reference shares no code with the implementation: it loops over every
/// (user, setting) pair and every row, recomputing who decides what each time it asks.
/// To reproduce a reported case, call `TenantDeciderPropertyTests.makeCase(index)`.
///
/// Rows come in manifest order (row numbers ascending, with gaps), as a tenant's rows
/// are read: `TenantDecider` takes the first deciding row in input order as the one
/// credited and as the "conflicts with row N", which is the smallest row number only then.
///
/// Cases that differ only by the known bug of
/// `TenantDeciderTests.notAppliedRowsKeepTheirUsersMatched` are counted apart, as a
/// known issue; any other difference fails.
@Suite("TenantDecider property")
struct TenantDeciderPropertyTests {
    /// How many random tenants the property test decides.
    static let caseCount = 20_000
    static let baseSeed: UInt64 = 0x6D66_615F_6261_7463

    @Test("TenantDecider agrees with a naive reference on 20,000 random tenants")
    func agreesWithTheNaiveReference() {
        var mismatches = 0
        var onlyNotAppliedUsersMatched = 0
        var coverage = Coverage()
        for index in 0..<Self.caseCount {
            let random = Self.makeCase(index)
            let settings = ["totp_enabled", "passkey_enabled"]
            let decider = TenantDecider(settings: settings, account: "acme", mfaRequired: random.mfaRequired,
                                        partial: random.partial, dryRun: random.dryRun)
            let reference = NaiveDecider(settingNames: settings, account: "acme", mfaRequired: random.mfaRequired,
                                         partial: random.partial, dryRun: random.dryRun)
            let actual = decider.decide(rows: random.rows, users: random.users)
            let (expected, trace) = reference.decide(rows: random.rows, users: random.users)
            coverage.add(expected, trace)
            guard actual != expected else { continue }
            // The known bug of `TenantDeciderTests.notAppliedRowsKeepTheirUsersMatched`,
            // counted apart so that any other difference still fails here.
            if actual == Self.withoutUsersMatchedOnNotApplied(expected) {
                onlyNotAppliedUsersMatched += 1
                continue
            }
            mismatches += 1
            if mismatches <= 3 {
                Issue.record(Comment(rawValue: """
                    case \(index) of \(Self.caseCount) differs from the reference \
                    (reproduce with TenantDeciderPropertyTests.makeCase(\(index))):
                    \(random.description)
                    expected: \(Self.describe(expected))
                    actual:   \(Self.describe(actual))
                    """))
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(Self.caseCount) random cases differ from the reference")
        #expect(onlyNotAppliedUsersMatched == 0,
                "\(onlyNotAppliedUsersMatched) of \(Self.caseCount) cases differ only in users_matched of not_applied rows")
        // The generator reaches every rule, often enough to matter.
        for (name, count) in coverage.counts.sorted(by: { $0.key < $1.key }) {
            #expect(count >= 20, "only \(count) of \(Self.caseCount) cases exercise \(name)")
        }
        #expect(coverage.counts.count == Coverage.names.count,
                "rules never exercised: \(Set(Coverage.names).subtracting(coverage.counts.keys).sorted())")
    }

    /// `decision` as the implementation currently reports it: `not_applied` rows without
    /// `users_matched`.
    static func withoutUsersMatchedOnNotApplied(_ decision: TenantDecision) -> TenantDecision {
        var decision = decision
        for index in decision.verdicts.indices where decision.verdicts[index].status == .notApplied {
            decision.verdicts[index].usersMatched = nil
        }
        return decision
    }

    // MARK: Random cases

    struct RandomCase: CustomStringConvertible {
        var index: Int
        var users: [TenantUser]
        var rows: [TenantRow]
        var mfaRequired: Bool
        var partial: Bool
        var dryRun: Bool

        var description: String {
            var lines = ["  mfaRequired: \(mfaRequired), partial: \(partial), dryRun: \(dryRun)", "  users:"]
            for (k, user) in users.enumerated() {
                lines.append("    [\(k)] id …\(user.id.uuidString.suffix(4)) email \(user.email)"
                             + " deleted \(user.deleted) settings \(bitsText(user.settings))")
            }
            lines.append("  rows:")
            for row in rows {
                let settings = row.settings.map { "mask \(bitsText($0.mask)) values \(bitsText($0.values))" } ?? "unreadable"
                let selector: String
                switch row.selector {
                case .id(let id)?: selector = "id …\(id.uuidString.suffix(4))"
                case .email(let email)?: selector = "email \(email)"
                case .all?: selector = "*"
                case nil: selector = "none"
                }
                let failure = row.failure.map { "\($0.status.rawValue) (\($0.reason))" } ?? "open"
                let principal = row.principal.map {
                    $0.credentialID + ($0.restrictedToUser.map { " restricted to …\($0.uuidString.suffix(4))" } ?? "")
                } ?? "no principal"
                lines.append("    row \(row.row): user \"\(row.user)\" (\(selector)), \(settings), \(failure), \(principal)")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Settings as `passkey totp` bits, e.g. `10` = passkey only.
    static func bitsText(_ bits: UInt64) -> String {
        String(bits >> 1 & 1) + String(bits & 1)
    }

    static func describe(_ decision: TenantDecision) -> String {
        let verdicts = decision.verdicts.map { v in
            "\(v.status.rawValue) error=\(v.error ?? "nil") reason=\(v.reason ?? "nil")"
                + " matched=\(v.usersMatched.map(String.init) ?? "nil") changed=\(v.usersChanged.map(String.init) ?? "nil")"
        }
        let changes = decision.changes.map { "…\($0.user.uuidString.suffix(4)) \(bitsText($0.before))→\(bitsText($0.after))" }
        let audit = decision.audit.map {
            "…\($0.user.uuidString.suffix(4)) row \($0.row) \($0.credential) \(bitsText($0.before))→\(bitsText($0.after))"
        }
        return "\n    verdicts: \(verdicts)\n    changes: \(changes)\n    audit: \(audit)"
    }

    /// `00000000-0000-4000-8000-0000000000nn`: short to read in a reproduction.
    static func uuid(_ n: Int) -> UUID {
        let hex = String(n, radix: 16)
        return UUID(uuidString: "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - hex.count) + hex)!
    }

    /// Spells `text` with a random mix of upper and lower case.
    static func mixedCase(_ text: String, _ rng: inout SplitMix64) -> String {
        String(text.map { rng.chance(30) ? Character($0.uppercased()) : $0 })
    }

    /// The tenant of case `index`: the same every time.
    static func makeCase(_ index: Int) -> RandomCase {
        var rng = SplitMix64(seed: baseSeed &+ UInt64(index))
        // Half the cases are dense: users with factors, `*` rows and rows giving both
        // settings, few rows failing early, mostly `mfa_required` with `--partial`: where
        // the policy and its re-check cascade live.
        let dense = rng.chance(50)

        // 1–4 users, in random name order (so that the smallest email is not always the
        // first user), some stored with upper case, some deleted.
        var names = ["amy", "ben", "cal", "dee"]
        for k in stride(from: names.count - 1, to: 0, by: -1) { names.swapAt(k, rng.int(k + 1)) }
        let users = (0..<(1 + rng.int(4))).map { k in
            let email = rng.chance(25) ? mixedCase("\(names[k])@acme.com", &rng) : "\(names[k])@acme.com"
            return TenantUser(id: uuid(k + 1), email: email, deleted: rng.chance(dense ? 5 : 20),
                              settings: UInt64(dense ? 1 + rng.int(3) : rng.int(4)))
        }

        // 1–6 rows, numbered upwards with gaps.
        var rows: [TenantRow] = []
        var number = rng.int(3)
        for _ in 0..<(1 + rng.int(6)) {
            number += 1 + rng.int(3)
            let target = rng.int(users.count)
            var selector: UserSelector?
            var written: String
            switch dense ? rng.int(16) : rng.int(20) {
            case 0..<(dense ? 5 : 6):
                selector = .id(users[target].id)
                let text = users[target].id.uuidString
                written = rng.chance(50) ? text.lowercased() : text
            case (dense ? 5 : 6)..<(dense ? 10 : 12):
                selector = .email(users[target].emailKey)
                written = mixedCase(users[target].emailKey, &rng)
            case (dense ? 10 : 12)..<16:
                selector = .all
                written = "*"
            case 16:
                selector = .id(uuid(0xFF))
                written = uuid(0xFF).uuidString.lowercased()
            case 17:
                selector = .email("nobody@acme.com")
                written = mixedCase("nobody@acme.com", &rng)
            default:
                selector = nil
                written = "not a user"
            }
            var settings: SettingBits? = SettingBits(mask: UInt64(1 + rng.int(3)), values: UInt64(rng.int(4)))
            if dense {
                // `*` rows mostly give both settings; named rows mostly turn one factor off.
                if selector == .all {
                    settings = SettingBits(mask: rng.chance(60) ? 3 : UInt64(1 + rng.int(2)), values: UInt64(rng.int(4)))
                } else if rng.chance(65) {
                    settings = SettingBits(mask: UInt64(1 + rng.int(2)), values: 0)
                }
            }

            // Mostly admin API keys; some user tokens (most often the named user's own);
            // a few rows with no credential.
            var principal: Principal?
            switch dense ? rng.int(9) : rng.int(10) {
            case 0..<6:
                principal = Principal(credentialID: "api_key:k\(1 + rng.int(2))", accountID: uuid(0xAC),
                                      restrictedToUser: nil)
            case 6..<9:
                let own: UUID
                if rng.chance(60), case .id(let id)? = selector { own = id }
                else if rng.chance(60), case .email(let key)? = selector, let user = users.first(where: { $0.emailKey == key }) {
                    own = user.id
                } else if rng.chance(10) { own = uuid(0xEE) }
                else { own = users[rng.int(users.count)].id }
                principal = Principal(credentialID: "jwt:k1:…\(own.uuidString.suffix(4))", accountID: uuid(0xAC),
                                      restrictedToUser: own)
            default:
                principal = nil
            }

            // Rows that failed before the decision, as staging would hand them over: schema
            // failures (settings readable, unreadable or none), credential failures (no
            // credential, a junk key, a user token on `*` or on someone else's id).
            var failure: TenantRow.Failure?
            if selector == nil || rng.chance(dense ? 5 : 12) {
                failure = .init(status: .invalid, error: "schema: something is wrong", reason: "schema")
                switch rng.int(4) {
                case 0: settings = nil
                case 1: settings = SettingBits()
                default: break
                }
            } else if principal == nil {
                failure = .init(status: .unauthorized, error: "missing credentials", reason: "missing credentials")
            } else if principal?.restrictedToUser != nil, selector == .all {
                failure = .init(status: .unauthorized, error: AuthDenial.tokenCannotTargetAll.message,
                                reason: AuthDenial.tokenCannotTargetAll.reason)
                if rng.chance(50) { principal = nil }
            } else if let own = principal?.restrictedToUser, case .id(let id)? = selector, id != own {
                failure = .init(status: .unauthorized, error: AuthDenial.tokenOtherUser.message,
                                reason: AuthDenial.tokenOtherUser.reason)
                if rng.chance(50) { principal = nil }
            } else if rng.chance(dense ? 3 : 8) {
                failure = .init(status: .unauthorized, error: "credential not valid for account acme",
                                reason: "credential not valid for account")
                principal = nil
            }
            rows.append(TenantRow(row: number, account: "acme", user: written, selector: selector, settings: settings,
                                  failure: failure, principal: principal))
        }
        return RandomCase(index: index, users: users, rows: rows, mfaRequired: rng.chance(dense ? 85 : 50),
                          partial: rng.chance(dense ? 85 : 50),
                          dryRun: rng.chance(50))
    }

    /// How often the cases exercise each rule (from the reference's side).
    struct Coverage {
        static let names = ["user not found", "user deleted", "token confined", "held back from *",
                            "no hold without valid credential", "policy", "policy on several users", "conflict",
                            "policy and conflict on one row", "not applied", "partial with failures",
                            "policy re-check", "changed", "would change", "unchanged", "audit split"]
        var counts: [String: Int] = [:]

        mutating func add(_ decision: TenantDecision, _ trace: NaiveDecider.Trace) {
            var seen = Set<String>()
            for verdict in decision.verdicts {
                switch verdict.reason {
                case "user not found"?: seen.insert("user not found")
                case "user deleted"?: seen.insert("user deleted")
                case AuthDenial.tokenOtherUser.reason? where verdict.usersMatched == nil: seen.insert("token confined")
                case "would leave a user without MFA"?:
                    seen.insert("policy")
                    if verdict.error?.contains(" users (e.g. ") == true { seen.insert("policy on several users") }
                case "conflicting rows"?: seen.insert("conflict")
                case "not applied"?: seen.insert("not applied")
                default: break
                }
                switch verdict.status {
                case .changed: seen.insert("changed")
                case .wouldChange: seen.insert("would change")
                case .unchanged: seen.insert("unchanged")
                default: break
                }
            }
            if trace.heldBack { seen.insert("held back from *") }
            if trace.failedRowWithoutValidCredentialNamedAStarUser { seen.insert("no hold without valid credential") }
            if trace.policyAndConflictOnOneRow { seen.insert("policy and conflict on one row") }
            if trace.partialWithFailures { seen.insert("partial with failures") }
            if trace.recheckFailedRows { seen.insert("policy re-check") }
            if Set(decision.audit.map(\.user)).count < decision.audit.count { seen.insert("audit split") }
            for name in seen { counts[name, default: 0] += 1 }
        }
    }
}

/// A seedable generator (Steele, Lea & Flood's SplitMix64): the same cases every run.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 0..<n.
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// True `percent` times in 100.
    mutating func chance(_ percent: Int) -> Bool { int(100) < percent }
}

/// The decision, written as plainly as possible from the rules: every question
/// ("who decides this user's setting?", "is this pair held back?") is answered by
/// looping over all rows again. Slow, obvious, and independent of `TenantDecider`.
struct NaiveDecider {
    let settingNames: [String]
    let account: String
    let mfaRequired: Bool
    let partial: Bool
    let dryRun: Bool

    /// What happened inside, for the coverage counts.
    struct Trace {
        var heldBack = false
        var failedRowWithoutValidCredentialNamedAStarUser = false
        var policyAndConflictOnOneRow = false
        var partialWithFailures = false
        var recheckFailedRows = false
    }

    struct Change {
        var user: Int
        var field: Int
        var value: Bool
        /// The row index credited with it.
        var credit: Int
    }

    func decide(rows: [TenantRow], users: [TenantUser]) -> (TenantDecision, Trace) {
        var trace = Trace()
        let fields = Array(settingNames.indices)
        let allRows = Array(rows.indices)

        func bit(_ bits: UInt64, _ field: Int) -> Bool { (bits >> UInt64(field)) & 1 == 1 }
        func with(_ bits: UInt64, _ field: Int, _ value: Bool) -> UInt64 {
            value ? bits | (1 << UInt64(field)) : bits & ~(1 << UInt64(field))
        }
        func hasFactor(_ bits: UInt64) -> Bool { fields.contains { bit(bits, $0) } }

        /// The user a row names (deleted or not), by id or by lower-cased email.
        func named(_ r: Int) -> Int? {
            switch rows[r].selector {
            case .id(let id)?: return users.firstIndex { $0.id == id }
            case .email(let email)?: return users.firstIndex { $0.emailKey == email }
            case .all?, nil: return nil
            }
        }
        /// The non-deleted user a row names.
        func resolvedTo(_ r: Int) -> Int? {
            guard let user = named(r), !users[user].deleted else { return nil }
            return user
        }
        func isStar(_ r: Int) -> Bool { rows[r].selector == .all }
        /// The value row `r` gives `field`, nil when it does not set it.
        func value(_ r: Int, _ field: Int) -> Bool? {
            guard let settings = rows[r].settings, bit(settings.mask, field) else { return nil }
            return bit(settings.values, field)
        }

        // 1. Resolution, then the user-token confinement.
        var status: [RowStatus?] = rows.map { $0.failure?.status }
        var error: [String?] = rows.map { $0.failure?.error }
        var reason: [String?] = rows.map { $0.failure?.reason }
        var matched: [Int?] = Array(repeating: nil, count: rows.count)
        func fail(_ r: Int, _ newStatus: RowStatus, _ newError: String, _ newReason: String) {
            status[r] = newStatus
            error[r] = newError
            reason[r] = newReason
        }
        for r in allRows where rows[r].failure == nil {
            let row = rows[r]
            switch row.selector {
            case .all?:
                matched[r] = users.filter { !$0.deleted }.count
            case .id?, .email?:
                if let user = named(r) {
                    if users[user].deleted {
                        fail(r, .invalid, "user: \(row.user) is deleted", "user deleted")
                    } else {
                        matched[r] = 1
                    }
                } else {
                    fail(r, .invalid, "user: \(row.user) not found in account \(row.account)", "user not found")
                }
                if case .email? = row.selector, let own = row.principal?.restrictedToUser {
                    let isOwn = resolvedTo(r).map { users[$0].id == own } ?? false
                    if !isOwn {
                        fail(r, .unauthorized, AuthDenial.tokenOtherUser.message, AuthDenial.tokenOtherUser.reason)
                        matched[r] = nil
                    }
                }
            case nil:
                break
            }
        }
        let failedBeforeDesired = status.map { $0 != nil }

        // 2. The desired state.
        func credentialValid(_ r: Int) -> Bool {
            guard let principal = rows[r].principal else { return false }
            guard let own = principal.restrictedToUser else { return true }
            guard let user = resolvedTo(r) else { return false }
            return users[user].id == own
        }
        /// Failed row `r` keeps `*` away from (user, field).
        func holdsBack(_ r: Int, _ user: Int, _ field: Int) -> Bool {
            guard resolvedTo(r) == user, credentialValid(r) else { return false }
            guard let settings = rows[r].settings, settings.mask != 0 else { return true }
            return bit(settings.mask, field)
        }
        func openAtDesired(_ r: Int) -> Bool { !failedBeforeDesired[r] }
        /// The rows deciding (user, field), and whether they name the user.
        func deciders(_ user: Int, _ field: Int) -> (rows: [Int], specific: Bool) {
            let specific = allRows.filter {
                openAtDesired($0) && !isStar($0) && resolvedTo($0) == user && value($0, field) != nil
            }
            if !specific.isEmpty { return (specific, true) }
            if users[user].deleted { return ([], false) }
            if allRows.contains(where: { failedBeforeDesired[$0] && holdsBack($0, user, field) }) { return ([], false) }
            return (allRows.filter { openAtDesired($0) && isStar($0) && value($0, field) != nil }, false)
        }
        /// The value all of `list` give `field`, nil when they disagree or there are none.
        func agreed(_ list: [Int], _ field: Int) -> Bool? {
            guard let first = list.first, let firstValue = value(first, field) else { return nil }
            for r in list where value(r, field) != firstValue { return nil }
            return firstValue
        }
        for user in users.indices where !users[user].deleted {
            for field in fields {
                let stars = allRows.filter { openAtDesired($0) && isStar($0) && value($0, field) != nil }
                let specific = allRows.filter {
                    openAtDesired($0) && !isStar($0) && resolvedTo($0) == user && value($0, field) != nil
                }
                guard !stars.isEmpty, specific.isEmpty else { continue }
                if allRows.contains(where: { failedBeforeDesired[$0] && holdsBack($0, user, field) }) {
                    trace.heldBack = true
                }
                if allRows.contains(where: {
                    failedBeforeDesired[$0] && resolvedTo($0) == user && !credentialValid($0)
                        && (rows[$0].settings.map { $0.mask == 0 || bit($0.mask, field) } ?? true)
                }) {
                    trace.failedRowWithoutValidCredentialNamedAStarUser = true
                }
            }
        }

        func policyError(_ stripped: Set<Int>) -> String {
            let smallest = stripped.map { users[$0].email }.sorted()[0]
            if stripped.count == 1 {
                return "would leave user \(smallest) with no MFA factor, but account \(account) requires MFA"
            }
            return "would leave \(stripped.count) users (e.g. \(smallest)) with no MFA factor, but account \(account) requires MFA"
        }

        // 3. Policy, on the desired state (settings whose deciders disagree stay as they are).
        if mfaRequired {
            var blamed: [Int: Set<Int>] = [:]
            for user in users.indices {
                let before = users[user].settings
                guard hasFactor(before) else { continue }
                var after = before
                for field in fields {
                    if let agreedValue = agreed(deciders(user, field).rows, field) {
                        after = with(after, field, agreedValue)
                    }
                }
                guard !hasFactor(after) else { continue }
                for field in fields {
                    let list = deciders(user, field).rows
                    guard agreed(list, field) == false else { continue }
                    for r in list where status[r] == nil { blamed[r, default: []].insert(user) }
                }
            }
            for (r, stripped) in blamed { fail(r, .invalid, policyError(stripped), "would leave a user without MFA") }
        }

        // 4. Conflicts, among the deciders of one (user, field).
        var conflict: [Int: (other: Int, field: String, email: String)] = [:]
        for user in users.indices {
            for field in fields {
                let list = deciders(user, field).rows
                guard agreed(list, field) == nil, list.count > 1 else { continue }
                for r in list {
                    let others = list.filter { value($0, field) != value(r, field) }.map { rows[$0].row }
                    let candidate = (other: others.min()!, field: settingNames[field], email: users[user].email)
                    if status[r] != nil {
                        if reason[r] == "would leave a user without MFA" { trace.policyAndConflictOnOneRow = true }
                        continue
                    }
                    if let current = conflict[r] {
                        let smaller = candidate.other != current.other ? candidate.other < current.other
                            : candidate.field != current.field ? candidate.field < current.field
                            : candidate.email < current.email
                        if !smaller { continue }
                    }
                    conflict[r] = candidate
                }
            }
        }
        for (r, c) in conflict {
            fail(r, .invalid, "\(c.field) for user \(c.email): conflicts with row \(c.other)", "conflicting rows")
        }

        func failedVerdict(_ r: Int) -> RowVerdict {
            RowVerdict(status: status[r]!, error: error[r], reason: reason[r], usersMatched: matched[r])
        }

        // 5. Without --partial, one failed row and nothing is applied.
        let anyFailed = status.contains { $0 != nil }
        if anyFailed && !partial {
            let verdicts = allRows.map { r in
                status[r] != nil ? failedVerdict(r)
                    : RowVerdict(status: .notApplied, reason: "not applied", usersMatched: matched[r])
            }
            return (TenantDecision(verdicts: verdicts, changes: [], audit: []), trace)
        }
        trace.partialWithFailures = anyFailed

        // 6. Effective changes: recomputed from scratch after every round of new failures.
        func effective() -> [Change] {
            var changes: [Change] = []
            for user in users.indices {
                for field in fields {
                    let (list, specific) = deciders(user, field)
                    guard let newValue = agreed(list, field) else { continue }
                    guard list.allSatisfy({ status[$0] == nil }) else { continue }
                    guard newValue != bit(users[user].settings, field) else { continue }
                    if !specific && allRows.contains(where: { status[$0] != nil && holdsBack($0, user, field) }) {
                        continue
                    }
                    let credit = list.min { rows[$0].row < rows[$1].row }!
                    changes.append(Change(user: user, field: field, value: newValue, credit: credit))
                }
            }
            return changes
        }
        var changes = effective()
        if anyFailed && mfaRequired {
            while true {
                var blamed: [Int: Set<Int>] = [:]
                for user in users.indices {
                    let mine = changes.filter { $0.user == user }
                    guard !mine.isEmpty else { continue }
                    let before = users[user].settings
                    var after = before
                    for change in mine { after = with(after, change.field, change.value) }
                    guard hasFactor(before) && !hasFactor(after) else { continue }
                    for change in mine where !change.value {
                        for r in deciders(user, change.field).rows where status[r] == nil {
                            blamed[r, default: []].insert(user)
                        }
                    }
                }
                if blamed.isEmpty { break }
                trace.recheckFailedRows = true
                for (r, stripped) in blamed {
                    fail(r, .invalid, policyError(stripped), "would leave a user without MFA")
                }
                changes = effective()
            }
        }

        // 7. Verdicts.
        let verdicts = allRows.map { r in
            if status[r] != nil { return failedVerdict(r) }
            let credited = Set(changes.filter { $0.credit == r }.map(\.user))
            return RowVerdict(status: credited.isEmpty ? .unchanged : (dryRun ? .wouldChange : .changed),
                              usersMatched: matched[r], usersChanged: credited.count)
        }

        // 8. Changes per user, and one audit entry per user and credited row, in manifest order.
        var userChanges: [UserChange] = []
        var audit: [AuditEntry] = []
        for user in users.indices {
            let mine = changes.filter { $0.user == user }
            guard !mine.isEmpty else { continue }
            var after = users[user].settings
            for change in mine { after = with(after, change.field, change.value) }
            userChanges.append(UserChange(user: users[user].id, before: users[user].settings, after: after))

            let credited = Set(mine.map(\.credit)).sorted { rows[$0].row < rows[$1].row }
            var state = users[user].settings
            for r in credited {
                let before = state
                for change in mine where change.credit == r { state = with(state, change.field, change.value) }
                audit.append(AuditEntry(user: users[user].id, row: rows[r].row,
                                        credential: rows[r].principal?.credentialID ?? "unknown",
                                        before: before, after: state))
            }
        }
        return (TenantDecision(verdicts: verdicts, changes: userChanges, audit: audit), trace)
    }
}
