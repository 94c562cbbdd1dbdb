import Foundation
import MFABatchCore
import Postgres
import Testing

/// Row-level security must confine a tenant transaction even on a superuser
/// connection (the test server's `postgres` role is one).
@Suite struct RowLevelSecurityTests {
    @Test func tenantTransactionCannotTouchAnotherAccountEvenAsSuperuser() throws {
        try MigratedDatabase.with { _, connection in
            #expect(try connection.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").scalar == "t")
            let a = UUID(), b = UUID()
            for (id, slug) in [(a, "acme"), (b, "globex")] {
                try connection.query("INSERT INTO accounts (id, slug, name) VALUES ($1, $2, $2)", [id, slug])
                try connection.query("INSERT INTO users (account_id, id, email) VALUES ($1, $2, $3)", [id, UUID(), "u@\(slug).test"])
            }
            let changed = try TenantScope.transaction(connection, account: a) { connection in
                try connection.query("UPDATE users SET totp_enabled = true WHERE account_id = $1", [b]).affectedRows
            }
            #expect(changed == 0)
            let seen = try TenantScope.transaction(connection, account: a) { connection in
                try connection.query("SELECT count(*) FROM users").scalar
            }
            #expect(seen == "1")
            #expect(try connection.query("SELECT count(*) FROM users WHERE totp_enabled").scalar == "0")
            // Outside a tenant transaction the maintenance connection sees both again.
            #expect(try connection.query("SELECT count(*) FROM users").scalar == "2")
        }
    }

    @Test func tenantTransactionCannotInsertAuditRowsForAnotherAccount() throws {
        try MigratedDatabase.with { _, connection in
            let a = UUID(), b = UUID()
            for (id, slug) in [(a, "acme"), (b, "globex")] {
                try connection.query("INSERT INTO accounts (id, slug, name) VALUES ($1, $2, $2)", [id, slug])
            }
            let error = try #require(throws: PostgresError.self) {
                try TenantScope.transaction(connection, account: a) { connection in
                    try connection.query("""
                        INSERT INTO mfa_audit (account_id, run_id, user_id, manifest_row, credential, before, after)
                        VALUES ($1, gen_random_uuid(), gen_random_uuid(), 1, 'x', '{}', '{}')
                        """, [b])
                }
            }
            #expect(error.sqlState == .insufficientPrivilege)
        }
    }
}
