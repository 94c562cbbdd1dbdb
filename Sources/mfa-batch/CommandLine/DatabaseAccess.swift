import Foundation
import MFABatchCore
import Postgres

/// Connecting for a command: `--database-url`, else `DATABASE_URL`, else libpq's
/// defaults. Any failure is exit 3, with a message that never shows a password.
enum DatabaseAccess {
    static func settings(_ options: DatabaseOptions, _ console: Console) -> ConnectionSettings {
        ConnectionSettings.resolve(databaseURL: options.databaseURL, environment: console.environment)
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

    /// The account an option names (slug or id); unknown is a usage error (exit 2).
    static func account(_ connection: Connection, _ text: String) throws -> StoredAccount {
        let ref: AccountRef = UUID(uuidString: text).map(AccountRef.id) ?? .slug(text)
        guard let record = try PostgresCredentialStore(connection: connection).account(ref) else {
            throw CLIError.usage("unknown account '\(text)'")
        }
        return record
    }
}

/// An id positional (`KEY_ID`, `RUN_ID`), which must be a UUID.
func parseID(_ text: String?, name: String) throws -> UUID {
    guard let text else { throw CLIError.invocation("missing \(name)") }
    guard let id = UUID(uuidString: text) else {
        throw CLIError.invocation("\(name) '\(text)' is not an id (a UUID)")
    }
    return id
}
