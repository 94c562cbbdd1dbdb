import Foundation

/// What `runs revert` does with one user: from the user's audit rows of the run (in
/// manifest order) and the user's settings now, which settings to put back and which
/// to leave alone. A plain function over values, so the rule reads in one place and
/// is tested without a database; `RunRevert` feeds it one user at a time.
///
/// For each setting (index into the schema's settings):
/// - the run changed it when some audit row has `before` ≠ `after` for it; the value
///   to restore is the `before` of the *first* such row (manifest order, the order
///   the rows were applied), the run's result is the `after` of the user's *last* row;
/// - a setting the run did not change, or changed and changed back, is not mentioned;
/// - a user deleted (or gone) since is skipped, every changed setting;
/// - a setting whose value now is not the run's result was changed since by someone
///   else: skipped, never overwritten;
/// - anything else is restored.
public struct RevertDecision: Sendable, Equatable {
    /// One audit row of the user: settings by index, nil where the row's JSON lacks the
    /// setting (an audit row older than a setting added to the spec).
    public struct AuditRow: Sendable, Equatable {
        public var manifestRow: Int
        public var before: [Bool?]
        public var after: [Bool?]

        public init(manifestRow: Int, before: [Bool?], after: [Bool?]) {
            self.manifestRow = manifestRow
            self.before = before
            self.after = after
        }
    }

    /// The user as the users table has it now.
    public enum Current: Sendable, Equatable {
        /// Not deleted: settings by index.
        case present([Bool?])
        /// `deleted_at` is set; the settings as stored.
        case deleted([Bool?])
        /// No row any more.
        case gone
    }

    public enum SkipReason: String, Sendable, Equatable {
        case changedSince = "changed since"
        case userDeleted = "user deleted"
        case userGone = "user no longer exists"
    }

    public struct Skip: Sendable, Equatable {
        public var setting: Int
        /// The value the run left.
        public var runAfter: Bool
        /// The value now; nil when the user is gone.
        public var now: Bool?
        public var reason: SkipReason
    }

    public struct Restore: Sendable, Equatable {
        public var setting: Int
        public var value: Bool
    }

    /// Settings to restore, in setting order.
    public var restore: [Restore]
    /// The manifest rows that made the restored changes, ascending.
    public var rows: [Int]
    public var skipped: [Skip]

    /// - Parameter audit: the user's audit rows of the run in manifest order (not empty).
    public init(settingCount: Int, audit: [AuditRow], current: Current) {
        restore = []
        skipped = []
        var rowSet = Set<Int>()
        guard let last = audit.last else {
            rows = []
            return
        }
        for setting in 0..<settingCount {
            let changers = audit.filter { row in
                guard let before = row.before.element(setting), let after = row.after.element(setting) else { return false }
                return before != after
            }
            guard let first = changers.first, let original = first.before.element(setting),
                  let result = last.after.element(setting), original != result else { continue }
            switch current {
            case .gone:
                skipped.append(Skip(setting: setting, runAfter: result, now: nil, reason: .userGone))
            case .deleted(let now):
                skipped.append(Skip(setting: setting, runAfter: result, now: now.element(setting), reason: .userDeleted))
            case .present(let now):
                if now.element(setting) == result {
                    restore.append(Restore(setting: setting, value: original))
                    rowSet.formUnion(changers.map(\.manifestRow))
                } else {
                    skipped.append(Skip(setting: setting, runAfter: result, now: now.element(setting), reason: .changedSince))
                }
            }
        }
        rows = rowSet.sorted()
    }
}

extension Array where Element == Bool? {
    /// The element at `index`, nil when out of range or nil.
    fileprivate func element(_ index: Int) -> Bool? {
        index < count ? self[index] : nil
    }
}
