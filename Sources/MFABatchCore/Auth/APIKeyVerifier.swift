import Foundation

/// Verifies an `X-Api-Key` for one account (PRODUCT.md §2): the key must exist,
/// belong to the row's account, be neither revoked nor expired, and have scope
/// `mfa:write`.
///
/// The lookup is by hash alone, so a key of another account is reported as such
/// rather than as unknown. Revocation is checked before expiry (a revoked key stays
/// revoked whatever its expiry), and both before the account (so a dead key says so
/// wherever it is used). An expiry at or before `now` has expired.
public struct APIKeyVerifier: Sendable {
    public static let requiredScope = "mfa:write"

    public init() {}

    /// The decision for `key` on `account`. Throws only what the store throws.
    public func verify(key: String, account: StoredAccount, store: any CredentialStore,
                       now: Date) throws -> AuthDecision {
        // Nothing this short or this long was ever minted: no lookup needed.
        guard !key.isEmpty, key.utf8.count <= APIKeyFormat.maximumLength else { return .denied(.unknownAPIKey) }
        let candidates = try store.apiKeys(hash: APIKeyFormat.hash(of: key))
        guard let stored = candidates.first(where: { $0.accountID == account.id }) ?? candidates.first else {
            return .denied(.unknownAPIKey)
        }
        // The account first: a dead key of another account must not learn, from
        // "revoked" or "expired", that the account it named exists.
        guard stored.accountID == account.id else { return .denied(.apiKeyOtherAccount) }
        if stored.revokedAt != nil { return .denied(.apiKeyRevoked) }
        if let expiresAt = stored.expiresAt, expiresAt <= now { return .denied(.apiKeyExpired) }
        guard stored.scopes.contains(Self.requiredScope) else { return .denied(.apiKeyLacksScope) }
        let id = stored.id.uuidString.lowercased()
        return .granted(Principal(credentialID: "api_key:\(id)", accountID: account.id, restrictedToUser: nil,
                                  key: .apiKey(stored.id)))
    }
}
