import Foundation

/// Who a granted credential acts as, for the audit trail and the user restriction.
public struct Principal: Sendable, Hashable {
    /// What `mfa_audit.credential` records: `api_key:<key uuid>` or `jwt:<kid>:<sub>`.
    /// Never a secret or a token.
    public var credentialID: String
    /// The account the credential was verified for.
    public var accountID: UUID
    /// Non-nil for a JWT without `mfa:admin`: the only user (its `sub`) it may change;
    /// such a token can never be used on a `*` row. Nil for API keys and admin tokens.
    public var restrictedToUser: UUID?
    /// The stored key it was verified against, so that each tenant's transaction can
    /// check it was not revoked since (nil only in tests that need no such check).
    public var key: StoredKey?

    /// The stored key behind a credential.
    public enum StoredKey: Sendable, Hashable {
        /// An `api_keys` row, by id.
        case apiKey(UUID)
        /// A `jwt_keys` row, by `kid`.
        case jwtKey(kid: String)
    }

    public init(credentialID: String, accountID: UUID, restrictedToUser: UUID?, key: StoredKey? = nil) {
        self.credentialID = credentialID
        self.accountID = accountID
        self.restrictedToUser = restrictedToUser
        self.key = key
    }
}
