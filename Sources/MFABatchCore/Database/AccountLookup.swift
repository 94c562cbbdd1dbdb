import Foundation
import Postgres

/// An account found by id or slug.
public struct AccountRecord: Sendable, Equatable {
    public var id: UUID
    public var slug: String
}

/// Finds accounts as operators name them: a UUID is an id, anything else a slug.
public enum AccountLookup {
    public static func find(_ connection: Connection, _ text: String) throws -> AccountRecord? {
        let result: QueryResult
        if let id = UUID(uuidString: text) {
            result = try connection.query("SELECT id, slug FROM accounts WHERE id = $1", [id])
        } else {
            result = try connection.query("SELECT id, slug FROM accounts WHERE slug = $1", [text])
        }
        guard let row = result.rows.first, let id = row[0].flatMap(UUID.init(uuidString:)), let slug = row[1] else {
            return nil
        }
        return AccountRecord(id: id, slug: slug)
    }
}
