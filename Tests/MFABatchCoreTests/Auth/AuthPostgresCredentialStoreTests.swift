import Crypto
import Foundation
import Postgres
import Testing
import TestSupport
@testable import MFABatchCore

/// `PostgresCredentialStore` against a real server (run under `scripts/with-postgres`):
/// each test gets a fresh database with `sql/*.sql` applied.
@Suite("Auth Postgres credential store", .serialized)
struct AuthPostgresCredentialStoreTests {
    private static let sqlDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("sql")

    private let acme = UUID(uuidString: "0a0a0a0a-0000-4000-8000-00000000000a")!
    private let globex = UUID(uuidString: "0b0b0b0b-0000-4000-8000-00000000000b")!

    /// A fresh database with the schema and two accounts; `body` gets a maintenance connection.
    private func withSchema(_ body: (Connection) throws -> Void) throws {
        try TestDatabase.with { settings in
            let connection = try Connection(settings: settings)
            defer { connection.close() }
            let files = try FileManager.default.contentsOfDirectory(atPath: Self.sqlDirectory.path)
                .filter { $0.hasSuffix(".sql") }.sorted()
            #expect(files.count >= 3)
            for file in files {
                let script = try String(contentsOf: Self.sqlDirectory.appendingPathComponent(file), encoding: .utf8)
                try applyRetryingRoleRace(script, on: connection)
            }
            try connection.query("INSERT INTO accounts (id, slug, name) VALUES ($1, 'acme', 'Acme'), ($2, 'globex', 'Globex')",
                                 [acme, globex])
            try body(connection)
        }
    }

    /// `CREATE ROLE mfa_batch_tenant` is cluster-wide: tests creating databases in
    /// parallel can race on it (the loser gets duplicate_object / unique_violation).
    /// The script runs as one implicit transaction, so it is safe to run again.
    private func applyRetryingRoleRace(_ script: String, on connection: Connection) throws {
        for attempt in 1...3 {
            do {
                try connection.execute(script: script)
                return
            } catch let error as PostgresError where attempt < 3
                && (error.sqlState?.rawValue == "42710" || error.sqlState?.rawValue == "23505") {
                continue
            }
        }
    }

    private func insertKey(_ connection: Connection, account: UUID, key: String, scopes: String = "{mfa:write}",
                           expires: String? = nil, revoked: Bool = false) throws -> UUID {
        let id = UUID()
        try connection.query("""
            INSERT INTO api_keys (account_id, id, prefix, key_hash, scopes, expires_at, revoked_at)
            VALUES ($1, $2, 'mfab_00000000', $3, $4::text[], now() + $5::interval, CASE WHEN $6 THEN now() END)
            """, [account, id, Data(APIKeyFormat.hash(of: key)), scopes, expires, revoked])
        return id
    }

    @Test func findsAccountsBySlugAndID() throws {
        try withSchema { connection throws in
            let store = PostgresCredentialStore(connection: connection)
            #expect(try store.account(.slug("acme")) == StoredAccount(id: acme, slug: "acme"))
            #expect(try store.account(.id(globex)) == StoredAccount(id: globex, slug: "globex"))
            #expect(try store.account(.slug("nope")) == nil)
            #expect(try store.account(.id(UUID())) == nil)
        }
    }

    @Test func apiKeysAreFoundByHashAloneWithTheirState() throws {
        try withSchema { connection throws in
            let key = APIKeyFormat.generate().key
            let id = try insertKey(connection, account: globex, key: key, scopes: "{mfa:read,mfa:write}", expires: "1 hour")
            let expired = APIKeyFormat.generate().key
            _ = try insertKey(connection, account: acme, key: expired, expires: "-1 second", revoked: true)
            let store = PostgresCredentialStore(connection: connection)

            let found = try #require(try store.apiKeys(hash: APIKeyFormat.hash(of: key)).first)
            #expect(found.accountID == globex && found.id == id)
            #expect(found.scopes == ["mfa:read", "mfa:write"])
            #expect(found.revokedAt == nil)
            let expiresIn = try #require(found.expiresAt).timeIntervalSinceNow
            #expect(expiresIn > 3500 && expiresIn < 3700)

            let dead = try #require(try store.apiKeys(hash: APIKeyFormat.hash(of: expired)).first)
            #expect(dead.revokedAt != nil)
            #expect(try #require(dead.expiresAt) < Date())

            #expect(try store.apiKeys(hash: APIKeyFormat.hash(of: "mfab_unknown")).isEmpty)
        }
    }

    @Test func jwtKeysAreScopedToTheirAccount() throws {
        try withSchema { connection throws in
            let secret = Crypto.randomBytes(32)
            try connection.query("INSERT INTO jwt_keys (account_id, kid, secret) VALUES ($1, 'k1', $2)", [acme, Data(secret)])
            try connection.query("INSERT INTO jwt_keys (account_id, kid, secret, revoked_at) VALUES ($1, 'old', '\\x00ff', now())",
                                 [acme])
            let store = PostgresCredentialStore(connection: connection)
            #expect(try store.jwtKey(accountID: acme, kid: "k1") == StoredJWTKey(secret: secret, isRevoked: false))
            #expect(try store.jwtKey(accountID: acme, kid: "old") == StoredJWTKey(secret: [0x00, 0xff], isRevoked: true))
            #expect(try store.jwtKey(accountID: globex, kid: "k1") == nil)
        }
    }

    @Test func authorizerEndToEndOnTheRealSchema() throws {
        try withSchema { connection throws in
            let good = APIKeyFormat.generate().key
            let goodID = try insertKey(connection, account: acme, key: good)
            let readOnly = APIKeyFormat.generate().key
            _ = try insertKey(connection, account: acme, key: readOnly, scopes: "{mfa:read}")
            let revoked = APIKeyFormat.generate().key
            _ = try insertKey(connection, account: acme, key: revoked, revoked: true)
            let expired = APIKeyFormat.generate().key
            _ = try insertKey(connection, account: acme, key: expired, expires: "-1 minute")
            let secret = Crypto.randomBytes(32)
            try connection.query("INSERT INTO jwt_keys (account_id, kid, secret) VALUES ($1, 'k1', $2)", [acme, Data(secret)])

            let authorizer = Authorizer(store: PostgresCredentialStore(connection: connection))
            func decide(_ account: AccountRef, _ credential: Credential) throws -> AuthDecision {
                let row = AuthFixtures.row(account: account, credential: credential)
                return try authorizer.authorize(row, account: try authorizer.account(for: account))
            }
            #expect(try decide(.slug("acme"), .apiKey(good)).principal?.credentialID
                    == "api_key:\(goodID.uuidString.lowercased())")
            #expect(try decide(.slug("globex"), .apiKey(good)) == .denied(.unknownAccount(asWritten: "globex")))
            #expect(try decide(.slug("acme"), .apiKey(readOnly)) == .denied(.apiKeyLacksScope))
            #expect(try decide(.slug("acme"), .apiKey(revoked)) == .denied(.apiKeyRevoked))
            #expect(try decide(.slug("acme"), .apiKey(expired)) == .denied(.apiKeyExpired))
            #expect(try decide(.slug("acme"), .apiKey("mfab_nope")) == .denied(.unknownAccount(asWritten: "acme")))
            #expect(try decide(.slug("umbrella"), .apiKey(good)) == .denied(.unknownAccount(asWritten: "umbrella")))

            let exp = Int(Date().timeIntervalSince1970) + 600
            let payload = #"{"acct":"\#(acme.uuidString)","sub":"svc","scope":"mfa:admin","exp":\#(exp)}"#
            let token = AuthFixtures.token(header: AuthFixtures.header(), payload: payload, secret: secret)
            #expect(try decide(.id(acme), .bearer(token)).principal?.credentialID == "jwt:k1:svc")
            #expect(try decide(.slug("globex"), .bearer(token)) == .denied(.unknownAccount(asWritten: "globex")))
        }
    }

    /// Issue 11: a NUL (which PostgreSQL text cannot hold) in a key or in a token's
    /// `kid` or `sub` is a denial, never a database error that stops the run.
    @Test func aNULInACredentialIsDeniedWithoutADatabaseError() throws {
        try withSchema { connection throws in
            let secret = Crypto.randomBytes(32)
            try connection.query("INSERT INTO jwt_keys (account_id, kid, secret) VALUES ($1, 'k1', $2)", [acme, Data(secret)])
            let authorizer = Authorizer(store: PostgresCredentialStore(connection: connection))
            func decide(_ credential: Credential) throws -> AuthDecision {
                let row = AuthFixtures.row(account: .slug("acme"), credential: credential)
                return try authorizer.authorize(row, account: try authorizer.account(for: .slug("acme")))
            }
            #expect(try decide(.apiKey("mfab_0123abcd_x\u{0}y")) == .denied(.unknownAccount(asWritten: "acme")))
            let exp = Int(Date().timeIntervalSince1970) + 600
            func token(kid: String, sub: String) -> String {
                let payload = #"{"acct":"\#(acme.uuidString)","sub":"\#(sub)","scope":"mfa:admin","exp":\#(exp)}"#
                return AuthFixtures.token(header: AuthFixtures.header(kid: kid), payload: payload, secret: secret)
            }
            #expect(try decide(.bearer(token(kid: "k1", sub: "svc"))).principal?.credentialID == "jwt:k1:svc")
            #expect(try decide(.bearer(token(kid: #"k1\u0000"#, sub: "svc"))) == .denied(.malformedToken))
            #expect(try decide(.bearer(token(kid: "k1", sub: #"svc\u0000"#))) == .denied(.malformedToken))
        }
    }

    /// The store relies on its connection's role: the maintenance policies of 0003
    /// let the migrating role read every tenant while no tenant is set; any other
    /// role sees nothing, so a misconfigured connection yields "unknown", never
    /// another tenant's data.
    @Test func rowLevelSecurityHidesKeysFromOtherRoles() throws {
        try withSchema { connection throws in
            let key = APIKeyFormat.generate().key
            _ = try insertKey(connection, account: globex, key: key)
            let role = "mfa_auth_probe_" + UUID().uuidString.prefix(8).lowercased()
            try connection.query("CREATE ROLE " + connection.escapeIdentifier(role) + " NOLOGIN")
            defer {
                _ = try? connection.query("RESET ROLE")
                _ = try? connection.query("DROP OWNED BY " + ((try? connection.escapeIdentifier(role)) ?? role))
                _ = try? connection.query("DROP ROLE " + ((try? connection.escapeIdentifier(role)) ?? role))
            }
            try connection.query("GRANT SELECT ON accounts, api_keys, jwt_keys TO " + connection.escapeIdentifier(role))
            let store = PostgresCredentialStore(connection: connection)
            #expect(try store.apiKeys(hash: APIKeyFormat.hash(of: key)).count == 1)
            try connection.query("SET ROLE " + connection.escapeIdentifier(role))
            #expect(try store.apiKeys(hash: APIKeyFormat.hash(of: key)).isEmpty)
            #expect(try store.account(.slug("globex")) == nil)
        }
    }
}
