import Foundation
import MFABatchCore
import Postgres
import Testing
import TestSupport

@Suite struct MigratorTests {
    @Test func bundledMigrationsAreTheFilesOfSqlInOrder() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../sql").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(Migration.bundled.map(\.name) == files)
        for migration in Migration.bundled {
            let text = try String(contentsOf: directory.appendingPathComponent(migration.name), encoding: .utf8)
            #expect(migration.sql == text)
        }
    }

    @Test func applyingTwiceChangesNothing() throws {
        try TestDatabase.with { settings in
            let connection = try Connection(settings: settings)
            let first = try Migrator().migrate(connection)
            #expect(first == Migration.bundled.map(\.name))
            let schema = try connection.query("""
                SELECT table_name, column_name, data_type FROM information_schema.columns
                WHERE table_schema = 'public' ORDER BY 1, 2
                """).rows
            let second = try Migrator().migrate(connection)
            #expect(second.isEmpty)
            #expect(try connection.query("SELECT count(*) FROM mfa_batch_migrations").scalar == String(Migration.bundled.count))
            let schemaAgain = try connection.query("""
                SELECT table_name, column_name, data_type FROM information_schema.columns
                WHERE table_schema = 'public' ORDER BY 1, 2
                """).rows
            #expect(schema == schemaAgain)
            #expect(try Migrator().pending(connection).isEmpty)
        }
    }

    @Test func concurrentFirstRunsEachSucceedAndApplyEveryMigrationOnce() throws {
        try TestDatabase.with { settings in
            final class Outcomes: @unchecked Sendable {
                let lock = NSLock()
                var applied: [[String]] = []
                var errors: [String] = []
            }
            let outcomes = Outcomes()
            DispatchQueue.concurrentPerform(iterations: 3) { _ in
                do {
                    let names = try Migrator().migrate(try Connection(settings: settings))
                    outcomes.lock.withLock { outcomes.applied.append(names) }
                } catch {
                    outcomes.lock.withLock { outcomes.errors.append("\(error)") }
                }
            }
            #expect(outcomes.errors == [])
            // One run applied everything; the others found nothing left to do.
            #expect(outcomes.applied.flatMap { $0 }.sorted() == Migration.bundled.map(\.name).sorted())
        }
    }

    @Test func anEditedAppliedMigrationIsRefused() throws {
        try TestDatabase.with { settings in
            let connection = try Connection(settings: settings)
            try Migrator().migrate(connection)
            var edited = Migration.bundled
            edited[0] = Migration(name: edited[0].name, sql: edited[0].sql + "\n-- sneaky edit\n")
            #expect(throws: Migrator.Failure.self) { try Migrator(migrations: edited).migrate(connection) }
            #expect(throws: Migrator.Failure.self) { try Migrator(migrations: edited).pending(connection) }
        }
    }

    @Test func aFailingMigrationKeepsNothingOfItself() throws {
        try TestDatabase.with { settings in
            let connection = try Connection(settings: settings)
            let broken = Migration.bundled + [Migration(name: "9999_broken.sql", sql: "CREATE TABLE half (id int); SELECT 1/0;")]
            #expect(throws: Migrator.Failure.self) { try Migrator(migrations: broken).migrate(connection) }
            #expect(try connection.query("SELECT to_regclass('half') IS NULL").scalar == "t")
            #expect(try Migrator(migrations: broken).pending(connection).map(\.name) == ["9999_broken.sql"])
        }
    }

    /// An older binary on a database a newer one migrated: refused by `migrate` and by
    /// the check every command makes, naming the unknown migration and the newest
    /// this binary knows.
    @Test func aDatabaseMigratedByANewerBinaryIsRefused() throws {
        try TestDatabase.with { settings in
            let connection = try Connection(settings: settings)
            let newer = Migration.bundled + [Migration(name: "9999_from_the_future.sql", sql: "SELECT 1;")]
            try Migrator(migrations: newer).migrate(connection)
            let attempts: [() throws -> Void] = [{ try Migrator().migrate(connection) }, { _ = try Migrator().pending(connection) }]
            for attempt in attempts {
                do {
                    try attempt()
                    Issue.record("an older binary accepted a newer schema")
                } catch let failure as Migrator.Failure {
                    guard case .superseded(let unknown, let newest) = failure else {
                        Issue.record("wrong failure: \(failure)")
                        continue
                    }
                    #expect(unknown == ["9999_from_the_future.sql"])
                    #expect(newest == Migration.bundled.last?.name)
                }
            }
        }
    }

    @Test func aMigrationThatDoesNotDecodeIsRefusedNotAppliedEmpty() throws {
        try TestDatabase.with { settings in
            let connection = try Connection(settings: settings)
            let damaged = Migration.bundled + [Migration(name: "9998_damaged.sql", sql: "")]
            #expect(throws: Migrator.Failure.self) { try Migrator(migrations: damaged).migrate(connection) }
            #expect(try connection.query("SELECT count(*) FROM mfa_batch_migrations WHERE name = '9998_damaged.sql'").scalar == "0")
        }
    }
}
