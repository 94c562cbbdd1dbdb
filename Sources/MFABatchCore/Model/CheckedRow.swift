import Foundation

/// The tenant a row names: an account id or a slug.
public enum AccountRef: Sendable, Hashable, CustomStringConvertible {
    case id(UUID)
    case slug(String)

    public var description: String {
        switch self {
        case .id(let id): return id.uuidString.lowercased()
        case .slug(let slug): return slug
        }
    }
}

/// Whom a row targets: one user by id or by email (lower-cased), or `*`.
public enum UserSelector: Sendable, Hashable, CustomStringConvertible {
    case id(UUID)
    case email(String)
    case all

    public var description: String {
        switch self {
        case .id(let id): return id.uuidString.lowercased()
        case .email(let email): return email
        case .all: return "*"
        }
    }
}

/// A credential as given (by a row, the credentials file or the environment).
/// Its description never shows the secret.
public enum Credential: Sendable, Hashable, CustomStringConvertible {
    /// The value of an `X-Api-Key` header.
    case apiKey(String)
    /// The JWT of an `Authorization: Bearer <JWT>` header (without "Bearer ").
    case bearer(String)

    public var description: String {
        switch self {
        case .apiKey: return "api key (redacted)"
        case .bearer: return "bearer token (redacted)"
        }
    }
}

/// One setting a row asks for, e.g. `totp_enabled = true`.
public struct SettingChange: Sendable, Hashable {
    public var field: String
    public var value: Bool
    public init(field: String, value: Bool) {
        self.field = field
        self.value = value
    }
}

/// A row that passed the schema check (step 1 of section 2's order of checks).
public struct CheckedRow: Sendable {
    public var row: Int
    public var line: Int
    public var account: AccountRef
    public var user: UserSelector
    /// In the order of the spec's properties; at least one.
    public var settings: [SettingChange]
    /// The row's own `authorization` / `api_key`, if any.
    public var credential: Credential?
    public var comment: String?

    public init(row: Int, line: Int, account: AccountRef, user: UserSelector, settings: [SettingChange],
                credential: Credential?, comment: String?) {
        self.row = row
        self.line = line
        self.account = account
        self.user = user
        self.settings = settings
        self.credential = credential
        self.comment = comment
    }
}

/// Why a row failed a check: data, not an exception. `message` is the report's
/// `error` text and names the field and the offending value (never a credential);
/// `reason` is the short, value-free category the summary groups by
/// (e.g. "user not found").
public struct RowDiagnostic: Sendable, Equatable, Error {
    public var row: Int
    public var line: Int
    public var field: String?
    public var value: String?
    public var message: String
    public var reason: String

    public init(row: Int, line: Int, field: String?, value: String?, message: String, reason: String) {
        self.row = row
        self.line = line
        self.field = field
        self.value = value
        self.message = message
        self.reason = reason
    }
}
