import Foundation

/// The lookups credential verification needs, and nothing else, so the verifier
/// can be tested against an in-memory fake and run against PostgreSQL
/// (`PostgresCredentialStore`). Errors thrown are database failures (the run
/// fails), never denials: "not found" is `nil` / an empty array.
public protocol CredentialStore {
    /// Every API key whose `key_hash` is `hash`, in any account. Looked up by hash
    /// alone so that "belongs to another account" can be told from "unknown".
    func apiKeys(hash: [UInt8]) throws -> [StoredAPIKey]
    /// The JWT signing key `kid` of `accountID`, nil when that account has none.
    func jwtKey(accountID: UUID, kid: String) throws -> StoredJWTKey?
    /// The account a row names, nil when it does not exist.
    func account(_ ref: AccountRef) throws -> StoredAccount?
}

/// An `api_keys` row as verification needs it. Times are absolute instants so the
/// verifier can compare them with its (injectable) clock.
public struct StoredAPIKey: Sendable, Hashable {
    public var accountID: UUID
    public var id: UUID
    public var scopes: [String]
    public var expiresAt: Date?
    public var revokedAt: Date?

    public init(accountID: UUID, id: UUID, scopes: [String], expiresAt: Date?, revokedAt: Date?) {
        self.accountID = accountID
        self.id = id
        self.scopes = scopes
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }
}

/// A `jwt_keys` row. Any `revoked_at` at all means revoked: a revocation is
/// never scheduled for later, and a clock skew must not re-enable a key.
public struct StoredJWTKey: Sendable, Hashable {
    public var secret: [UInt8]
    public var isRevoked: Bool

    public init(secret: [UInt8], isRevoked: Bool) {
        self.secret = secret
        self.isRevoked = isRevoked
    }
}

/// An `accounts` row: enough to match a credentials-file entry by slug or id.
public struct StoredAccount: Sendable, Hashable {
    public var id: UUID
    public var slug: String

    public init(id: UUID, slug: String) {
        self.id = id
        self.slug = slug
    }
}
