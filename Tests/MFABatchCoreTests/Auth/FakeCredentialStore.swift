import Foundation
@testable import MFABatchCore

/// An in-memory `CredentialStore` that counts its lookups, so tests can prove how
/// often the database would have been asked.
final class FakeCredentialStore: CredentialStore {
    struct JWTKeyID: Hashable {
        var account: UUID
        var kid: String
    }

    var apiKeys: [[UInt8]: [StoredAPIKey]] = [:]
    var jwtKeys: [JWTKeyID: StoredJWTKey] = [:]
    var accounts: [StoredAccount] = []

    private(set) var apiKeyLookups = 0
    private(set) var jwtKeyLookups = 0
    private(set) var accountLookups = 0
    var totalLookups: Int { apiKeyLookups + jwtKeyLookups + accountLookups }

    func apiKeys(hash: [UInt8]) throws -> [StoredAPIKey] {
        apiKeyLookups += 1
        return apiKeys[hash] ?? []
    }

    func jwtKey(accountID: UUID, kid: String) throws -> StoredJWTKey? {
        jwtKeyLookups += 1
        return jwtKeys[JWTKeyID(account: accountID, kid: kid)]
    }

    func account(_ ref: AccountRef) throws -> StoredAccount? {
        accountLookups += 1
        switch ref {
        case .id(let id): return accounts.first { $0.id == id }
        case .slug(let slug): return accounts.first { $0.slug == slug }
        }
    }
}
