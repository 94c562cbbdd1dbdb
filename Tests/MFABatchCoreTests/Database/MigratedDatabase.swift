import MFABatchCore
import Postgres
import TestSupport

/// A fresh database with every migration applied, for core tests that need the schema.
enum MigratedDatabase {
    static func with<T>(_ body: (ConnectionSettings, Connection) throws -> T) throws -> T {
        try TestDatabase.with { settings in
            let connection = try Connection(settings: settings)
            defer { connection.close() }
            try TestDatabase.settingUp { try Migrator().migrate(connection) }
            return try body(settings, connection)
        }
    }
}
