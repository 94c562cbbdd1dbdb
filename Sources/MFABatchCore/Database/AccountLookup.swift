import Foundation
import Postgres

/// Finds accounts as operators name them: a UUID is an id, anything else a slug.
public enum AccountLookup {
    public static func find(_ connection: Connection, _ text: String) throws -> StoredAccount? {
        let result: QueryResult
        if let id = UUID(uuidString: text) {
            result = try connection.query("SELECT id, slug FROM accounts WHERE id = $1", [id])
        } else {
            result = try connection.query("SELECT id, slug FROM accounts WHERE slug = $1", [text])
        }
        guard let row = result.rows.first, let id = row[0].flatMap(UUID.init(uuidString:)), let slug = row[1] else {
            return nil
        }
        return StoredAccount(id: id, slug: slug)
    }
}
