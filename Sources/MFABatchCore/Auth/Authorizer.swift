import Crypto
import Foundation

/// Step 2 of a row's checks (PRODUCT.md §2): which credential applies, and whether
/// it is valid for the row's account. One per run.
///
/// Credentials, first found wins: the row's own; the `--credentials` entry for its
/// account (by slug or id); `MFA_BATCH_API_KEY`. Each distinct (credential, account)
/// pair is verified once per run and the decision cached, keyed by a SHA-256 of the
/// credential (the clear secret is never kept as a key), so a million rows under one
/// key cost one lookup. A cached grant stays valid for the rest of the run even if the
/// key expires meanwhile, as a request that started before expiry would.
///
/// ```swift
/// let authorizer = Authorizer(store: PostgresCredentialStore(connection: maintenance),
///                             fallbacks: .init(file: file, environment: env))
/// let account = try authorizer.account(for: row.account)
/// switch try authorizer.authorize(row, account: account) {
/// case .granted(let principal): … resolve users, then authorizer.checkUser(…)
/// case .denied(let denial): report denial.diagnostic(for: row) as 401
/// }
/// ```
///
/// Not `Sendable`: it owns a store (usually on a connection) and a mutable cache.
public final class Authorizer {
    /// Credentials used when a row has none of its own.
    public struct Fallbacks: Sendable {
        public var file: CredentialsFile?
        /// `MFA_BATCH_API_KEY`, nil when unset or empty.
        public var environmentAPIKey: String?

        public init(file: CredentialsFile? = nil, environmentAPIKey: String? = nil) {
            self.file = file
            self.environmentAPIKey = environmentAPIKey?.isEmpty == true ? nil : environmentAPIKey
        }

        /// Takes `MFA_BATCH_API_KEY` from `environment`.
        public init(file: CredentialsFile?, environment: [String: String]) {
            self.init(file: file, environmentAPIKey: environment[Authorizer.environmentVariable])
        }
    }

    public static let environmentVariable = "MFA_BATCH_API_KEY"

    private let store: any CredentialStore
    private let fallbacks: Fallbacks
    private let now: () -> Date
    private let apiKeys = APIKeyVerifier()
    private let tokens: JWTVerifier

    private struct CacheKey: Hashable {
        /// SHA-256 of the credential's kind and value.
        var credential: [UInt8]
        var account: UUID
    }
    private var decisions: [CacheKey: AuthDecision] = [:]
    /// At most this many cached decisions (about 200 bytes each).
    let decisionCacheLimit: Int
    private var accounts: [AccountRef: StoredAccount?] = [:]
    /// The decision for the previous row's credential and account: consecutive rows
    /// nearly always share them, and comparing beats a SHA-256 per row. (The row
    /// itself holds the same credential; this keeps one, not one per key.)
    private var last: (credential: Credential, account: UUID, decision: AuthDecision)?

    /// - Parameter now: the clock, injectable so tests control expiry.
    public init(store: any CredentialStore, fallbacks: Fallbacks = Fallbacks(), leeway: TimeInterval = 60,
                now: @escaping () -> Date = { Date() }, decisionCacheLimit: Int = 10_000) {
        self.decisionCacheLimit = max(1, decisionCacheLimit)
        self.store = store
        self.fallbacks = fallbacks
        self.now = now
        self.tokens = JWTVerifier(leeway: leeway)
    }

    /// The account a row names, looked up once per reference per run; nil when it
    /// does not exist (which `authorize` turns into a 401, never a 400).
    public func account(for ref: AccountRef) throws -> StoredAccount? {
        if let cached = accounts[ref] { return cached }
        let found = try store.account(ref)
        // Bounded like the decisions: a manifest naming many distinct (unknown) accounts
        // must not grow memory with its length.
        if accounts.count >= decisionCacheLimit { accounts.removeAll(keepingCapacity: true) }
        accounts[ref] = found
        return found
    }

    /// The credential that applies to `row`, first found wins (nil: none at all).
    public func credential(for row: CheckedRow, account: StoredAccount?) -> Credential? {
        row.credential
            ?? fallbacks.file?.credential(for: row.account, account: account)
            ?? fallbacks.environmentAPIKey.map(Credential.apiKey)
    }

    /// The decision for `row` on its resolved `account` (nil when it does not exist).
    /// Throws only store (database) failures.
    public func authorize(_ row: CheckedRow, account: StoredAccount?) throws -> AuthDecision {
        guard let credential = credential(for: row, account: account) else { return .denied(.missingCredentials) }
        // Unknown account: nothing from the database, only what the row wrote. A
        // malformed token reads the same whatever the account, so it is said first.
        guard let account else {
            if case .bearer(let token) = credential {
                do { _ = try JWT.parse(token) } catch { return .denied(error) }
            }
            return .denied(.unknownAccount(asWritten: row.account.description))
        }
        let decision: AuthDecision
        if let last, last.credential == credential, last.account == account.id {
            // Runs of rows under one credential (the usual manifest): no digest per row.
            decision = last.decision
        } else {
            let key = CacheKey(credential: Self.digest(credential), account: account.id)
            if let cached = decisions[key] {
                decision = cached
            } else {
                switch credential {
                case .apiKey(let secret): decision = try apiKeys.verify(key: secret, account: account, store: store, now: now())
                case .bearer(let token): decision = try tokens.verify(token: token, account: account, store: store, now: now())
                }
                // Bounded: a manifest where every row has its own credential must not
                // grow memory with its length. Past the bound the cache starts over
                // (each credential is then verified again at most once per bound).
                if decisions.count >= decisionCacheLimit { decisions.removeAll(keepingCapacity: true) }
                decisions[key] = decision
            }
            last = (credential, account.id, decision)
        }
        if case .denied(let denial) = decision, denial.provesNothingAboutAccount {
            return .denied(.unknownAccount(asWritten: row.account.description))
        }
        return decision
    }

    /// The user restriction of a token without `mfa:admin`: it may change only its
    /// `sub` user and never target `*`. Nil result: allowed.
    ///
    /// Call it after user resolution, and let a denial here win over a resolution
    /// failure (pass `resolvedUserID: nil` when the user was not found): a row naming
    /// another user by email is then a 401 whether or not that email exists, so a user
    /// token learns nothing about other users. A row naming the token's own id is
    /// allowed here and left to resolution (its own user may be deleted: a 400).
    public func checkUser(principal: Principal, row: CheckedRow, resolvedUserID: UUID?) -> AuthDenial? {
        guard let own = principal.restrictedToUser else { return nil }
        switch row.user {
        case .all: return .tokenCannotTargetAll
        case .id(let named): return named == own ? nil : .tokenOtherUser
        case .email: return resolvedUserID == own ? nil : .tokenOtherUser
        }
    }

    /// Number of cached (credential, account) decisions (for tests and stats).
    public var cachedDecisionCount: Int { decisions.count }

    private static func digest(_ credential: Credential) -> [UInt8] {
        switch credential {
        case .apiKey(let secret): return Crypto.sha256(Array(("api_key:" + secret).utf8))
        case .bearer(let token): return Crypto.sha256(Array(("bearer:" + token).utf8))
        }
    }
}
