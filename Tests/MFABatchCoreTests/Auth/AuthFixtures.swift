import Crypto
import Foundation
@testable import MFABatchCore

/// Tokens and keys built independently of the verifier: our own base64url (through
/// Foundation's base64, not `Base64URL`), JSON text written by hand, HMAC from `Crypto`.
enum AuthFixtures {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static var nowSeconds: Int { Int(now.timeIntervalSince1970) }

    static let accountA = StoredAccount(id: UUID(uuidString: "0a0a0a0a-0000-4000-8000-00000000000a")!, slug: "acme")
    static let accountB = StoredAccount(id: UUID(uuidString: "0b0b0b0b-0000-4000-8000-00000000000b")!, slug: "globex")
    static let userA1 = UUID(uuidString: "1a1a1a1a-0000-4000-8000-0000000000a1")!
    static let userA2 = UUID(uuidString: "2a2a2a2a-0000-4000-8000-0000000000a2")!

    static let secretA = Array("secret-of-acme-key-k1-0123456789".utf8)
    static let secretAOld = Array("old-secret-of-acme-revoked-key!!".utf8)
    static let secretB = Array("secret-of-globex-key-kb-98765432".utf8)

    static let keyAWrite = "mfab_0000000a_acme-write-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    static let keyARead = "mfab_0000000b_acme-read-only-key-bbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
    static let keyARevoked = "mfab_0000000c_acme-revoked-key-ccccccccccccccccccccccccccccccc"
    static let keyAExpired = "mfab_0000000d_acme-expired-key-ddddddddddddddddddddddddddddddd"
    static let keyBWrite = "mfab_0000000e_globex-write-key-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
    static let keyAWriteID = UUID(uuidString: "a0000000-0000-4000-8000-000000000001")!

    /// The in-memory store every pure test starts from.
    static func store() -> FakeCredentialStore {
        let store = FakeCredentialStore()
        store.accounts = [accountA, accountB]
        store.jwtKeys = [
            FakeCredentialStore.JWTKeyID(account: accountA.id, kid: "k1"): StoredJWTKey(secret: secretA, isRevoked: false),
            FakeCredentialStore.JWTKeyID(account: accountA.id, kid: "old"): StoredJWTKey(secret: secretAOld, isRevoked: true),
            FakeCredentialStore.JWTKeyID(account: accountB.id, kid: "kb"): StoredJWTKey(secret: secretB, isRevoked: false),
        ]
        func key(_ clear: String, _ account: StoredAccount, id: UUID = UUID(), scopes: [String] = ["mfa:write"],
                 expires: Date? = nil, revoked: Date? = nil) -> ([UInt8], StoredAPIKey) {
            (Crypto.sha256(Array(clear.utf8)),
             StoredAPIKey(accountID: account.id, id: id, scopes: scopes, expiresAt: expires, revokedAt: revoked))
        }
        for (hash, record) in [
            key(keyAWrite, accountA, id: keyAWriteID, expires: now.addingTimeInterval(3600)),
            key(keyARead, accountA, scopes: ["mfa:read"]),
            key(keyARevoked, accountA, revoked: now.addingTimeInterval(-10)),
            key(keyAExpired, accountA, expires: now.addingTimeInterval(-1)),
            key(keyBWrite, accountB),
        ] {
            store.apiKeys[hash, default: []].append(record)
        }
        return store
    }

    // MARK: Tokens

    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func base64url(_ text: String) -> String { base64url(Array(text.utf8)) }

    /// `header.payload.signature`, signed with HMAC-SHA256 under `secret` whatever
    /// the header says (nil secret: empty signature, as `alg: none` tokens have).
    static func token(header: String, payload: String, secret: [UInt8]?) -> String {
        let input = base64url(header) + "." + base64url(payload)
        guard let secret else { return input + "." }
        return input + "." + base64url(Crypto.hmacSHA256(key: secret, message: Array(input.utf8)))
    }

    static func header(alg: String = "HS256", kid: String = "k1") -> String {
        #"{"alg":"\#(alg)","typ":"JWT","kid":"\#(kid)"}"#
    }

    /// A payload with `exp` one hour ahead unless given; `nil` leaves a claim out.
    static func payload(acct: String? = accountA.id.uuidString.lowercased(), sub: String? = userA1.uuidString.lowercased(),
                        scope: String? = "mfa:admin", exp: String? = String(nowSeconds + 3600),
                        nbf: String? = nil) -> String {
        var members: [String] = []
        if let acct { members.append(#""acct":"\#(acct)""#) }
        if let sub { members.append(#""sub":"\#(sub)""#) }
        if let scope { members.append(#""scope":"\#(scope)""#) }
        if let exp { members.append(#""exp":\#(exp)"#) }
        if let nbf { members.append(#""nbf":\#(nbf)"#) }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// A valid token for account A signed with `k1`.
    static func validToken(scope: String? = "mfa:admin", exp: String? = String(nowSeconds + 3600),
                           nbf: String? = nil) -> String {
        token(header: header(), payload: payload(scope: scope, exp: exp, nbf: nbf), secret: secretA)
    }

    static func row(account: AccountRef = .slug("acme"), user: UserSelector = .id(userA1),
                    credential: Credential?) -> CheckedRow {
        CheckedRow(row: 1, line: 2, account: account, user: user,
                   settings: [SettingChange(field: "totp_enabled", value: true)], credential: credential, comment: nil)
    }
}
