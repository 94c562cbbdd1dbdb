import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 14, item 4: every tenant-owned table is ready for sharding by tenant — it
/// has a primary key, and `account_id` (NOT NULL) is a key column of the primary key
/// and of every unique index — checked in the catalog of a migrated database, on
/// plain PostgreSQL and on Citus. On Citus, also the distribution migration 0013
/// made: tenant tables hash-distributed by account_id in one co-location group,
/// `accounts` a reference table, the run-level tables local.
@Suite struct TenantKeyCatalogTests {
    static let tenantTables: Set<String> = ["users", "jwt_keys", "api_keys", "mfa_audit", "run_outcomes"]

    /// Tables of the current schema with an `account_id` column (tenant-owned), each
    /// with what is wrong with its keys; an empty list means the table is fine.
    private func keyProblems(_ connection: Connection) throws -> [String: [String]] {
        let tables = try connection.query("""
            SELECT c.relname, a.attnum, a.attnotnull FROM pg_class c
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'account_id' AND NOT a.attisdropped
            WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
            """).rows
        var problems: [String: [String]] = [:]
        for row in tables {
            let table = row[0] ?? "", attnum = row[1] ?? "", notNull = row[2] == "t"
            var found: [String] = []
            if !notNull { found.append("account_id is nullable") }
            let indexes = try connection.query("""
                SELECT i.indexrelid::regclass::text, i.indisprimary, i.indkey::text
                FROM pg_index i WHERE i.indrelid = $1::regclass AND i.indisunique
                """, [table]).rows
            if !indexes.contains(where: { $0[1] == "t" }) { found.append("no primary key") }
            for index in indexes {
                let keyColumns = (index[2] ?? "").split(separator: " ").map(String.init)
                if !keyColumns.contains(attnum) {
                    found.append("\(index[1] == "t" ? "primary key" : "unique index") \(index[0] ?? "?") lacks account_id")
                }
            }
            problems[table] = found
        }
        return problems
    }

    @Test func everyTenantOwnedTableHasAccountIDInItsPrimaryKeyAndUniqueIndexes() throws {
        try MigratedDatabase.with { _, connection in
            let problems = try keyProblems(connection)
            #expect(Set(problems.keys) == Self.tenantTables)
            for (table, found) in problems.sorted(by: { $0.key < $1.key }) {
                #expect(found.isEmpty, "\(table): \(found.joined(separator: "; "))")
            }

            // The check does catch a table that is not ready (rolled back afterwards).
            try connection.query("BEGIN")
            defer { _ = try? connection.query("ROLLBACK") }
            try connection.query("CREATE TABLE bad_tenant_table (account_id uuid, id uuid PRIMARY KEY, code text)")
            try connection.query("CREATE UNIQUE INDEX bad_tenant_table_code ON bad_tenant_table (code)")
            let bad = try keyProblems(connection)["bad_tenant_table"] ?? []
            #expect(bad.contains("account_id is nullable"))
            #expect(bad.contains { $0.hasPrefix("primary key") && $0.hasSuffix("lacks account_id") })
            #expect(bad.contains { $0.hasPrefix("unique index bad_tenant_table_code") })
        }
    }

    @Test(.enabled(if: TestDatabase.isCitus, "needs the Citus cluster of scripts/with-citus"))
    func onCitusTenantTablesAreCoLocatedByAccountAndAccountsIsAReferenceTable() throws {
        try MigratedDatabase.with { _, connection in
            let rows = try connection.query("""
                SELECT logicalrelid::text, partmethod::text, column_to_column_name(logicalrelid, partkey), colocationid
                FROM pg_dist_partition
                """).rows
            let byTable = Dictionary(uniqueKeysWithValues: rows.map { ($0[0] ?? "", $0) })
            #expect(Set(byTable.keys) == Self.tenantTables.union(["accounts"]))
            #expect(byTable["accounts"]?[1] == "n", "accounts must be a reference table")
            for table in Self.tenantTables {
                #expect(byTable[table]?[1] == "h", "\(table) must be hash-distributed")
                #expect(byTable[table]?[2] == "account_id", "\(table) must be distributed by account_id")
            }
            let groups = Set(Self.tenantTables.compactMap { byTable[$0]?[3] ?? nil })
            #expect(groups.count == 1, "tenant tables must be co-located: \(groups)")
            // The run-level tables stay local to the coordinator.
            for table in ["job_runs", "mfa_batch_migrations"] {
                #expect(byTable[table] == nil)
                #expect(try connection.query("SELECT to_regclass($1) IS NOT NULL", [table]).scalar == "t")
            }
            #expect(try connection.query("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'mfa_batch_tenant'").scalar == "t")
        }
    }

    /// On plain PostgreSQL the Citus migration changes nothing: the tenant role
    /// still cannot log in, and no function of Citus is needed.
    @Test(.enabled(if: !TestDatabase.isCitus, "plain PostgreSQL only"))
    func onPlainPostgreSQLTheCitusMigrationDoesNothing() throws {
        try MigratedDatabase.with { _, connection in
            let citus = try connection.query("SELECT count(*) FROM pg_extension WHERE extname = 'citus'").scalar
            let canLogIn = try connection.query("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'mfa_batch_tenant'").scalar
            let applied = try connection.query(
                "SELECT count(*) FROM mfa_batch_migrations WHERE name = '0013_citus_distribution.sql'").scalar
            #expect(citus == "0")
            #expect(canLogIn == "f")
            #expect(applied == "1")
        }
    }
}
