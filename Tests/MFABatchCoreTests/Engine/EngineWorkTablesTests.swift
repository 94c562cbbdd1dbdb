import Foundation
import Postgres
import Testing
@testable import MFABatchCore

/// The engine's temporary work tables outlive a tenant's transaction on their
/// connection (creating them each time cost a fifth of a small tenant's time), so
/// what one tenant put in them must be gone for the next one, whether the first
/// committed or rolled back, and creating them again must be harmless.
@Suite("Engine work tables")
struct EngineWorkTablesTests {
    @Test func rowsOfOneTenantNeverReachTheNext() throws {
        try EngineFixture.with { f in
            let acme = try f.account("acme"), globex = try f.account("globex")
            let sql = try TenantSQL(settings: SettingsSchema.bundled.settings)
            let connection = f.db
            let insert = """
                INSERT INTO mfa_desired (row_no, user_id, field, value, specific) VALUES (1, gen_random_uuid(), 'totp_enabled', true, true);
                INSERT INTO mfa_effective (user_id, field, value, row_no, specific) VALUES (gen_random_uuid(), 'totp_enabled', true, 1, true)
                """
            let count = "SELECT (SELECT count(*) FROM mfa_desired) + (SELECT count(*) FROM mfa_effective)"

            // A tenant that commits.
            try TenantScope.transaction(connection, account: acme) { connection in
                try connection.execute(script: sql.createWorkTables)
                try connection.execute(script: insert)
                #expect(try connection.query(count).scalar == "2")
            }
            // The next one finds the tables, empty, and creating them again is silent.
            try TenantScope.transaction(connection, account: globex) { connection in
                try connection.execute(script: sql.createWorkTables)
                #expect(try connection.query(count).scalar == "0")
                try connection.execute(script: insert)
            }
            // A tenant that fails.
            struct Stop: Error {}
            #expect(throws: Stop.self) {
                try TenantScope.transaction(connection, account: acme) { connection in
                    try connection.execute(script: sql.createWorkTables)
                    try connection.execute(script: insert)
                    throw Stop()
                }
            }
            try TenantScope.transaction(connection, account: globex) { connection in
                try connection.execute(script: sql.createWorkTables)
                #expect(try connection.query(count).scalar == "0")
            }
            #expect(!connection.notices.contains { $0.message.contains("already exists") })
        }
    }
}
