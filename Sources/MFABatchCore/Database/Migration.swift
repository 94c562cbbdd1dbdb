import Crypto
import Foundation

/// One forward-only migration file of `sql/` (`NNNN_description.sql`).
public struct Migration: Sendable, Equatable {
    /// The file name, e.g. `0001_tenant_tables.sql`; the key it is recorded under.
    public var name: String
    public var sql: String
    /// Lower-case hex SHA-256 of the SQL as UTF-8 (the file's bytes, the files being UTF-8).
    public var checksum: String

    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
        self.checksum = Crypto.hex(Crypto.sha256(Data(sql.utf8)))
    }

    /// The migrations built into this binary from `sql/`, in order.
    /// A migration whose embedded text does not decode comes out empty, which
    /// `Migrator` refuses (never applied as an empty migration).
    public static let bundled: [Migration] = EmbeddedResources.migrationsBase64.map { entry in
        guard let bytes = Data(base64Encoded: entry.base64), let sql = String(data: bytes, encoding: .utf8) else {
            return Migration(name: entry.name, sql: "")
        }
        return Migration(name: entry.name, sql: sql)
    }
}
