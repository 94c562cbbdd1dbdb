import Foundation

/// Boolean settings as bits, indexed like `SettingsSchema.settings` (at most 64).
/// A row's settings give some of them (`mask`); a user has all of them.
public struct SettingBits: Sendable, Hashable {
    /// Which settings are given.
    public var mask: UInt64
    /// Their values; bits outside `mask` are 0.
    public var values: UInt64

    public init(mask: UInt64 = 0, values: UInt64 = 0) {
        self.mask = mask
        self.values = values & mask
    }

    /// Every one of `count` settings, from `values`.
    public static func all(_ count: Int, values: UInt64) -> SettingBits {
        let mask: UInt64 = count >= 64 ? .max : (1 << UInt64(count)) - 1
        return SettingBits(mask: mask, values: values)
    }

    public func value(_ index: Int) -> Bool? {
        mask & (1 << UInt64(index)) == 0 ? nil : values & (1 << UInt64(index)) != 0
    }

    public func gives(_ index: Int) -> Bool { mask & (1 << UInt64(index)) != 0 }

    public mutating func set(_ index: Int, _ value: Bool) {
        let bit: UInt64 = 1 << UInt64(index)
        mask |= bit
        if value { values |= bit } else { values &= ~bit }
    }

    /// At least one given setting is true (a user "has a factor").
    public var anyTrue: Bool { values & mask != 0 }

    /// The settings of `changes` as a row's, e.g. `[totp_enabled = true]`.
    init(_ changes: [SettingChange], names: [String]) {
        var bits = SettingBits()
        for change in changes {
            if let index = names.firstIndex(of: change.field) { bits.set(index, change.value) }
        }
        self = bits
    }
}

/// One manifest row of a tenant, as the decision needs it: checked and authorized
/// when it was read (steps 1–2 of PRODUCT.md §2), its user not yet resolved.
public struct TenantRow: Sendable, Equatable {
    /// The manifest row number.
    public var row: Int
    /// The account and user as written, for messages.
    public var account: String
    public var user: String
    /// Whom the row targets; nil when its user field names no one legibly (a row that
    /// failed the schema check).
    public var selector: UserSelector?
    /// The settings it names; nil when they cannot be read (a row that failed the
    /// schema check on a setting).
    public var settings: SettingBits?
    /// Set when the row already failed (schema → invalid, credential → unauthorized).
    public var failure: Failure?
    /// The credential granted for the row's account; set also for a row that failed
    /// the schema check, so `--partial` can tell whether it proves who sent it.
    public var principal: Principal?

    public struct Failure: Sendable, Equatable {
        public var status: RowStatus
        public var error: String
        public var reason: String

        public init(status: RowStatus, error: String, reason: String) {
            self.status = status
            self.error = error
            self.reason = reason
        }

        /// The row's verdict: the failure as it stands.
        public var verdict: RowVerdict { RowVerdict(status: status, error: error, reason: reason) }
    }

    public init(row: Int, account: String, user: String, selector: UserSelector?, settings: SettingBits?,
                failure: Failure? = nil, principal: Principal? = nil) {
        self.row = row
        self.account = account
        self.user = user
        self.selector = selector
        self.settings = settings
        self.failure = failure
        self.principal = principal
    }
}

/// A user of the tenant as read inside its transaction.
public struct TenantUser: Sendable, Equatable {
    public var id: UUID
    public var email: String
    /// The spellings of the email the tenant's rows name it by (PostgreSQL's `lower()`
    /// matched them, as the unique index compares emails); empty when no row names
    /// the user by email.
    public var emailKeys: [String]
    public var emailKey: String { emailKeys.first ?? "" }
    public var deleted: Bool
    /// Every setting's current value, as `SettingBits.values`.
    public var settings: UInt64

    public init(id: UUID, email: String, emailKey: String? = nil, deleted: Bool, settings: UInt64) {
        self.id = id
        self.email = email
        emailKeys = [emailKey ?? email.lowercased()]
        self.deleted = deleted
        self.settings = settings
    }
}

/// What the decision says about one row: exactly the outcome fields of the report.
public struct RowVerdict: Sendable, Equatable {
    public var status: RowStatus
    public var error: String?
    public var reason: String?
    public var usersMatched: Int?
    public var usersChanged: Int?

    public init(status: RowStatus, error: String? = nil, reason: String? = nil, usersMatched: Int? = nil,
                usersChanged: Int? = nil) {
        self.status = status
        self.error = error
        self.reason = reason
        self.usersMatched = usersMatched
        self.usersChanged = usersChanged
    }

    /// A row that is valid but whose tenant applies nothing.
    static let notApplied = RowVerdict(status: .notApplied, reason: "not applied")
}

/// One user's settings before and after the tenant's changes.
public struct UserChange: Sendable, Equatable {
    public var user: UUID
    public var before: UInt64
    public var after: UInt64
}

/// One audit row: a user, the manifest row that decided some of its settings, that
/// row's credential, and the user's settings before and after that row's changes
/// (rows applied in manifest order, so the before of one is the after of the last).
public struct AuditEntry: Sendable, Equatable {
    public var user: UUID
    public var row: Int
    public var credential: String
    public var before: UInt64
    public var after: UInt64
}

/// Everything a tenant's transaction writes, decided.
public struct TenantDecision: Sendable, Equatable {
    /// One per input row, in the same order.
    public var verdicts: [RowVerdict]
    /// Users whose settings change, each once.
    public var changes: [UserChange]
    public var audit: [AuditEntry]

    /// Users changed (or that would change, in a dry run).
    public var usersChanged: Int { changes.count }
}
