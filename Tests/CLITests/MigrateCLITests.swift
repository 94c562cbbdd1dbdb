import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct MigrateCLITests {
    @Test func migrateWorksFromAnyDirectoryAndTwiceIsANoOp() throws {
        try TestDatabase.with { settings in
            let harness = CLIHarness(settings: settings)
            let elsewhere = try CLIHarness.temporaryDirectory()
            let first = try TestDatabase.settingUp { try harness.run(["migrate"], currentDirectory: elsewhere) }
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stderr.contains("applied 0001_tenant_tables.sql"))
            let second = try harness.run(["migrate", "--database-url", settings.conninfo], environment: ["DATABASE_URL": nil], currentDirectory: elsewhere)
            #expect(second.status == 0)
            #expect(second.stderr.contains("up to date"))
        }
    }

    @Test func anEditedAppliedMigrationIsRefusedWithExit3() throws {
        try TestDatabase.with { settings in
            let harness = CLIHarness(settings: settings)
            let migrated = try TestDatabase.settingUp { try harness.run(["migrate"]) }
            #expect(migrated.status == 0)
            let connection = try Connection(settings: settings)
            // What an edited file looks like from the database's side: the recorded
            // checksum no longer matches the file built into the binary.
            try connection.query("UPDATE mfa_batch_migrations SET checksum = 'feedface' WHERE name = '0001_tenant_tables.sql'")
            let refused = try harness.run(["migrate"])
            #expect(refused.status == 3)
            #expect(refused.stderr.contains("0001_tenant_tables.sql was changed after it was applied"))
        }
    }

    @Test func unreachableServerIsExit3WithoutThePassword() throws {
        let harness = CLIHarness(settings: ConnectionSettings(conninfo: ""))
        let output = try harness.run(["migrate", "--database-url", "postgresql://ops:Sup3rSecretPw@127.0.0.1:1/app?connect_timeout=2"])
        #expect(output.status == 3)
        #expect(output.stderr.contains("cannot connect"))
        #expect(!output.stderr.contains("Sup3rSecretPw") && !output.stdout.contains("Sup3rSecretPw"))
    }

    @Test func malformedURLIsExit3WithoutThePassword() throws {
        let harness = CLIHarness(settings: ConnectionSettings(conninfo: ""))
        let output = try harness.run(["migrate"], environment: ["DATABASE_URL": "postgresql://ops:Sup3rSecretPw@host:port/app"])
        #expect(output.status == 3)
        #expect(!output.stderr.contains("Sup3rSecretPw") && !output.stdout.contains("Sup3rSecretPw"))
    }

    @Test func commandsRefuseAnUnmigratedDatabase() throws {
        try TestDatabase.with { settings in
            let output = try CLIHarness(settings: settings).run(["keys", "list", "--account", "acme"])
            #expect(output.status == 3)
            #expect(output.stderr.contains("not migrated"))
        }
    }

    @Test func usageErrorsAreExit2() throws {
        let harness = CLIHarness(settings: ConnectionSettings(conninfo: ""))
        #expect(try harness.run(["frobnicate"]).status == 2)
        #expect(try harness.run(["migrate", "--bogus"]).status == 2)
        let help = try harness.run(["migrate", "--help"])
        #expect(help.status == 0 && help.stdout.contains("usage: mfa-batch migrate"))
    }
}
