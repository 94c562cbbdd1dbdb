import Foundation
import Postgres

/// `keys create | list | revoke`: the only writer of `api_keys`. The clear key
/// exists only in the return value of `create`; the table holds its SHA-256.
public enum APIKeyAdmin {
    public struct Listed: Sendable, Equatable {
        public var id: UUID
        public var name: String?
        public var prefix: String
        public var scopes: [String]
        public var createdAt: String
        public var expiresAt: String?
        public var revokedAt: String?
    }

    public struct Created: Sendable {
        public var id: UUID
        /// The clear key: print it once, never store or log it.
        public var key: String
        public var prefix: String
        public var expiresAt: String?
    }

    public static func create(
        _ connection: Connection, account: StoredAccount, scopes: [String], expiresInSeconds: Int?, name: String?
    ) throws -> Created {
        let generated = APIKeyFormat.generate()
        let id = UUID()
        // Formatted outside the INSERT's RETURNING: Citus allows only immutable
        // functions there (to_char is stable).
        let result = try connection.query("""
            WITH created AS (
                INSERT INTO api_keys (account_id, id, name, prefix, key_hash, scopes, expires_at)
                VALUES ($1, $2, $3, $4, $5, $6::text[], now() + make_interval(secs => $7::double precision))
                RETURNING expires_at)
            SELECT \(ISOTimestampSQL.render("expires_at")) FROM created
            """,
            [account.id, id, name, generated.prefix, Data(generated.hash), arrayLiteral(scopes),
             expiresInSeconds.map(Double.init)])
        return Created(id: id, key: generated.key, prefix: generated.prefix, expiresAt: result.scalar)
    }

    public static func list(_ connection: Connection, account: StoredAccount) throws -> [Listed] {
        let result = try connection.query("""
            SELECT id, name, prefix, array_to_json(scopes)::text,
                   \(ISOTimestampSQL.render("created_at")), \(ISOTimestampSQL.render("expires_at")),
                   \(ISOTimestampSQL.render("revoked_at"))
            FROM api_keys WHERE account_id = $1 ORDER BY created_at, id
            """, [account.id])
        return try result.rows.map { row in
            guard let id = row[0].flatMap(UUID.init(uuidString:)), let scopes = PostgresText.stringArray(row[3]) else {
                throw PostgresError(kind: .client, message: "unexpected api_keys row shape")
            }
            return Listed(id: id, name: row[1], prefix: row[2] ?? "", scopes: scopes,
                          createdAt: row[4] ?? "", expiresAt: row[5], revokedAt: row[6])
        }
    }

    public enum RevokeOutcome: Sendable, Equatable {
        case revoked
        case alreadyRevoked
        case notFound
    }

    public static func revoke(_ connection: Connection, id: UUID) throws -> RevokeOutcome {
        let updated = try connection.query(
            "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", [id])
        if updated.affectedRows > 0 { return .revoked }
        let exists = try connection.query("SELECT 1 FROM api_keys WHERE id = $1", [id])
        return exists.rows.isEmpty ? .notFound : .alreadyRevoked
    }

    /// A `text[]` literal (`{"a","b"}`) with each element quoted and escaped, sent
    /// as a parameter.
    static func arrayLiteral(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}
