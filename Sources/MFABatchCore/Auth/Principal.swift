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

    public init(credentialID: String, accountID: UUID, restrictedToUser: UUID?) {
        self.credentialID = credentialID
        self.accountID = accountID
        self.restrictedToUser = restrictedToUser
    }
}
