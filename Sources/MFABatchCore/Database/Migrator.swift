import Foundation
import Postgres

/// Applies migrations in order, each once and in its own transaction, recording
/// its checksum in `mfa_batch_migrations`. Like Flyway/sqitch: an applied
/// migration whose file changed is refused, never re-run or silently accepted.
///
/// Concurrent `migrate` runs serialize on a transaction-level advisory lock, taken
/// by every transaction that creates the bookkeeping table or applies a migration
/// (which checks again, under the lock, that no one applied it meanwhile), so two
/// cron hosts starting at once cannot apply the same file twice. Transaction-level,
/// not session-level: behind a transaction-pooling PgBouncer a session lock would be
/// taken on one server connection and released (or not) on another.
public struct Migrator {
    public var migrations: [Migration]

    public init(migrations: [Migration] = Migration.bundled) {
        self.migrations = migrations
    }

    public enum Failure: Error, CustomStringConvertible {
        /// An applied migration's file is no longer what was applied.
        case changed(name: String, applied: String, current: String)
        /// A migration failed; nothing of it was kept.
        case failed(name: String, error: PostgresError)
        /// The database has migrations this binary does not know: a newer binary
        /// migrated it, and this one would misread its schema.
        case superseded(unknown: [String], newestKnown: String?)
        /// A migration built into the binary could not be decoded.
        case undecodable(name: String)

        public var description: String {
            switch self {
            case let .changed(name, applied, current):
                return "migration \(name) was changed after it was applied (applied checksum \(applied.prefix(12))…, file now \(current.prefix(12))…); migrations are forward-only: restore the file and add a new migration instead"
            case let .failed(name, error):
                return "migration \(name) failed and was rolled back: \(error)"
            case let .superseded(unknown, newestKnown):
                return "the database was migrated by a newer mfa-batch: it has migration(s) \(unknown.joined(separator: ", ")) that this binary does not know (its newest is \(newestKnown ?? "none")); use the newer binary"
            case let .undecodable(name):
                return "migration \(name) built into this binary cannot be decoded; the binary is damaged"
            }
        }
    }

    /// Applies what is pending; returns the names applied (empty when up to date).
    @discardableResult
    public func migrate(_ connection: Connection) throws -> [String] {
        // The lock first: two first-time runs creating the table at once collide in
        // the catalog (23505 on pg_type) even with IF NOT EXISTS.
        try connection.transaction { connection in
            try Self.lock(connection)
            try connection.query("""
                CREATE TABLE IF NOT EXISTS mfa_batch_migrations (
                    name       text PRIMARY KEY,
                    checksum   text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
        }

        let applied = try appliedChecksums(connection)
        try verify(applied)
        var names: [String] = []
        for migration in migrations where applied[migration.name] == nil {
            do {
                let done = try connection.transaction { connection -> Bool in
                    try Self.lock(connection)
                    let again = try connection.query(
                        "SELECT checksum FROM mfa_batch_migrations WHERE name = $1", [migration.name])
                    if let checksum = again.rows.first?.first ?? nil {
                        // Another `migrate` applied it while this one waited.
                        guard checksum == migration.checksum else {
                            throw Failure.changed(name: migration.name, applied: checksum, current: migration.checksum)
                        }
                        return false
                    }
                    try connection.execute(script: migration.sql)
                    try connection.query(
                        "INSERT INTO mfa_batch_migrations (name, checksum) VALUES ($1, $2)",
                        [migration.name, migration.checksum])
                    return true
                }
                if done { names.append(migration.name) }
            } catch let error as PostgresError {
                if error.isConnectionLost { throw error }
                throw Failure.failed(name: migration.name, error: error)
            }
        }
        return names
    }

    /// Waits for the migration lock, held until the transaction ends.
    private static func lock(_ connection: Connection) throws {
        try connection.query("SELECT pg_advisory_xact_lock(hashtext('mfa_batch.migrate'))")
    }

    /// Migrations not yet applied (for "database not migrated" checks). Also refuses
    /// a database whose applied migrations changed.
    public func pending(_ connection: Connection) throws -> [Migration] {
        let exists = try connection.query("SELECT to_regclass('mfa_batch_migrations') IS NOT NULL").scalar
        guard exists == "t" else { return migrations }
        let applied = try appliedChecksums(connection)
        try verify(applied)
        return migrations.filter { applied[$0.name] == nil }
    }

    private func appliedChecksums(_ connection: Connection) throws -> [String: String] {
        let result = try connection.query("SELECT name, checksum FROM mfa_batch_migrations")
        var applied: [String: String] = [:]
        for row in result.rows {
            if let name = row[0], let checksum = row[1] { applied[name] = checksum }
        }
        return applied
    }

    private func verify(_ applied: [String: String]) throws {
        let known = Set(migrations.map(\.name))
        let unknown = applied.keys.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty { throw Failure.superseded(unknown: unknown, newestKnown: migrations.last?.name) }
        for migration in migrations where migration.sql.isEmpty {
            throw Failure.undecodable(name: migration.name)
        }
        for migration in migrations {
            if let recorded = applied[migration.name], recorded != migration.checksum {
                throw Failure.changed(name: migration.name, applied: recorded, current: migration.checksum)
            }
        }
    }
}
