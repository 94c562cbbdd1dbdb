import MFABatchCore
import Postgres

/// Connecting for a command: `--database-url`, else `DATABASE_URL`, else libpq's
/// defaults. Any failure is exit 3, with a message that never shows a password.
enum DatabaseAccess {
    static func settings(_ arguments: ParsedArguments, _ console: Console) -> ConnectionSettings {
        ConnectionSettings.resolve(databaseURL: arguments.value("database-url"), environment: console.environment)
    }

    static func connect(_ settings: ConnectionSettings) throws -> Connection {
        do {
            return try Connection(settings: settings)
        } catch let error as PostgresError {
            throw CLIError.database("cannot connect to the database: \(error.message)")
        }
    }

    /// Connects and refuses a database that is not fully migrated.
    static func connectMigrated(_ settings: ConnectionSettings) throws -> Connection {
        let connection = try connect(settings)
        let pending = try Migrator().pending(connection)
        if !pending.isEmpty {
            throw CLIError.database("the database is not migrated (\(pending.count) pending, first \(pending[0].name)); run `mfa-batch migrate`")
        }
        return connection
    }
}
