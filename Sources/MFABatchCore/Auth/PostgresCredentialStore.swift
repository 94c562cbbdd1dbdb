import Foundation
import Postgres

/// `CredentialStore` over one PostgreSQL connection.
///
/// The connection must be a maintenance connection with no tenant set
/// (`mfa_batch.account_id` empty): the `maintenance` policies of
/// `0003_row_level_security.sql` then let it read every account's keys, which
/// verification needs (to tell a key of another account from an unknown one).
/// All values travel as parameters; times come back as epoch seconds computed by
/// the server so no timestamp text is ever parsed here.
public final class PostgresCredentialStore: CredentialStore {
    private let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    /// ```sql
    /// SELECT account_id, id, array_to_json(scopes)::text,
    ///        extract(epoch FROM expires_at)::float8, extract(epoch FROM revoked_at)::float8
    ///   FROM api_keys WHERE key_hash = $1
    /// ```
    public func apiKeys(hash: [UInt8]) throws -> [StoredAPIKey] {
        let result = try connection.query("""
            SELECT account_id, id, array_to_json(scopes)::text,
                   extract(epoch FROM expires_at)::float8, extract(epoch FROM revoked_at)::float8
              FROM api_keys WHERE key_hash = $1
            """, [Data(hash)])
        return try result.rows.map { row in
            guard let accountID = row[0].flatMap(UUID.init(uuidString:)), let id = row[1].flatMap(UUID.init(uuidString:)),
                  let scopes = PostgresText.stringArray(row[2]) else {
                throw PostgresError(kind: .client, message: "unexpected api_keys row shape")
            }
            return StoredAPIKey(accountID: accountID, id: id, scopes: scopes,
                                expiresAt: try Self.date(row[3]), revokedAt: try Self.date(row[4]))
        }
    }

    /// `SELECT secret, revoked_at IS NOT NULL FROM jwt_keys WHERE account_id = $1 AND kid = $2`
    public func jwtKey(accountID: UUID, kid: String) throws -> StoredJWTKey? {
        let result = try connection.query(
            "SELECT secret, revoked_at IS NOT NULL FROM jwt_keys WHERE account_id = $1 AND kid = $2",
            [accountID, kid])
        guard let row = result.rows.first else { return nil }
        guard let secret = PostgresText.bytea(row[0]), let revoked = PostgresText.bool(row[1]) else {
            throw PostgresError(kind: .client, message: "unexpected jwt_keys row shape")
        }
        return StoredJWTKey(secret: Array(secret), isRevoked: revoked)
    }

    /// `SELECT id, slug FROM accounts WHERE id = $1` (or `WHERE slug = $1`); an account
    /// whose id is the nil UUID (reserved, `OutcomeRecords.noTenant`) is unknown.
    public func account(_ ref: AccountRef) throws -> StoredAccount? {
        let result: QueryResult
        switch ref {
        case .id(let id): result = try connection.query("SELECT id, slug FROM accounts WHERE id = $1", [id])
        case .slug(let slug): result = try connection.query("SELECT id, slug FROM accounts WHERE slug = $1", [slug])
        }
        guard let row = result.rows.first else { return nil }
        guard let id = row[0].flatMap(UUID.init(uuidString:)), let slug = row[1] else {
            throw PostgresError(kind: .client, message: "unexpected accounts row shape")
        }
        // The nil UUID is reserved for run records of rows that reached no tenant.
        guard id != OutcomeRecords.noTenant else { return nil }
        return StoredAccount(id: id, slug: slug)
    }

    /// Epoch seconds (`float8` text, possibly `Infinity`/`-Infinity`) to a date.
    private static func date(_ text: String?) throws -> Date? {
        guard let text else { return nil }
        guard let seconds = Double(text) else {
            throw PostgresError(kind: .client, message: "unexpected epoch value")
        }
        if seconds == .infinity { return .distantFuture }
        if seconds == -.infinity { return .distantPast }
        return Date(timeIntervalSince1970: seconds)
    }
}
