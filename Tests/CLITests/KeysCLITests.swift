import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct KeysCLITests {
    private func seedAccount(_ connection: Connection, slug: String = "acme") throws -> UUID {
        let id = UUID()
        try connection.query("INSERT INTO accounts (id, slug, name) VALUES ($1, $2, $2)", [id, slug])
        return id
    }

    @Test func createPrintsTheKeyOnceAndStoresOnlyItsHash() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            _ = try seedAccount(connection)
            let created = try harness.run(["keys", "create", "--account", "acme", "--name", "cron", "--expires-in", "90d"])
            #expect(created.status == 0, "\(created.stderr)")
            let lines = created.stdout.split(separator: "\n")
            #expect(lines.count == 1)
            let key = String(lines[0])
            #expect(key.hasPrefix("mfab_") && key.count > 30)
            #expect(!created.stderr.contains(key))

            // Nothing in the table contains the clear key; its SHA-256 is there.
            let dump = try connection.query("SELECT row_to_json(k)::text FROM api_keys k").rows.map { $0[0] ?? "" }.joined()
            #expect(!dump.contains(key))
            #expect(!dump.contains(String(key.suffix(20))))
            let hashMatches = try connection.query(
                "SELECT count(*) FROM api_keys WHERE key_hash = sha256(convert_to($1, 'UTF8'))", [key]).scalar
            #expect(hashMatches == "1")
            let expiry = try connection.query(
                "SELECT expires_at BETWEEN now() + interval '89 days' AND now() + interval '91 days', scopes::text FROM api_keys").rows[0]
            #expect(expiry == ["t", "{mfa:write}"])

            let listed = try harness.run(["keys", "list", "--account", "acme", "--json"])
            #expect(listed.status == 0)
            #expect(!listed.stdout.contains(key))
            let array = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
            #expect(array.count == 1)
            #expect(Set(array[0].keys) == ["id", "name", "prefix", "scopes", "created_at", "expires_at", "revoked_at"])
            #expect(array[0]["name"] as? String == "cron")
            #expect(array[0]["scopes"] as? [String] == ["mfa:write"])
            #expect(array[0]["revoked_at"] is NSNull)
            #expect(key.hasPrefix(try #require(array[0]["prefix"] as? String)))
        }
    }

    @Test func scopesAreRepeatableAndRevokeMarksTheKey() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let account = try seedAccount(connection)
            let created = try harness.run(["keys", "create", "--account", account.uuidString, "--scope", "mfa:read", "--scope", "mfa:write"])
            #expect(created.status == 0)
            let row = try connection.query("SELECT id, scopes::text FROM api_keys").rows[0]
            #expect(row[1] == "{mfa:read,mfa:write}")
            let revoked = try harness.run(["keys", "revoke", try #require(row[0])])
            #expect(revoked.status == 0, "\(revoked.stderr)")
            #expect(try connection.query("SELECT revoked_at IS NOT NULL FROM api_keys").scalar == "t")
            #expect(try harness.run(["keys", "revoke", UUID().uuidString]).status == 2)
        }
    }

    @Test func unknownAccountAndBadDurationAreExit2() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            // The account exists: a bad duration must be refused for itself.
            _ = try seedAccount(connection)
            let unknown = try harness.run(["keys", "create", "--account", "nope"])
            #expect(unknown.status == 2)
            #expect(unknown.stderr.contains("unknown account 'nope'"))
            let badDuration = try harness.run(["keys", "create", "--account", "acme", "--expires-in", "90x"])
            #expect(badDuration.status == 2)
            #expect(badDuration.stderr.contains("90x"), "\(badDuration.stderr)")
            #expect(badDuration.stdout.isEmpty)
            #expect(try connection.query("SELECT count(*) FROM api_keys").scalar == "0")
            #expect(try harness.run(["keys", "create"]).status == 2)
        }
    }
}
