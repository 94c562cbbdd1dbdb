import Foundation
import Postgres

/// The statements of a tenant's transaction, built once per run for the settings of
/// the API spec (a new boolean property of the spec is a new column here, with no
/// code change). Each carries its own parameters; arrays travel as one parameter
/// each (`unnest`), so a statement's cost does not depend on a round trip per row.
/// Row-level security confines all of them to the tenant (`TenantScope`).
struct TenantStatements: Sendable {
    /// Setting names, in spec order; checked to be plain identifiers.
    let settings: [String]

    init(settings: [String]) throws {
        for name in settings where !TenantStatements.isPlainIdentifier(name) {
            throw EngineError.unsupportedSetting(name)
        }
        self.settings = settings
    }

    static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, (0x61...0x7A).contains(first) || first == 0x5F, name.utf8.count <= 63 else {
            return false
        }
        return name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }

    private var settingColumns: String { settings.map { "u.\"\($0)\"" }.joined(separator: ", ") }

    /// `mfa_required` of the account.
    func policy(account: UUID) -> Connection.PipelineStatement {
        Connection.PipelineStatement("SELECT mfa_required FROM accounts WHERE id = $1", [account])
    }

    /// The users the rows touch: those named by id, those named by email (matched with
    /// `lower` on both sides, as the unique index compares them; `named_as` says which
    /// of the rows' emails matched), and with `everyone`, every non-deleted user.
    func users(account: UUID, ids: [UUID], emails: [String], everyone: Bool) -> Connection.PipelineStatement {
        Connection.PipelineStatement("""
            SELECT u.id, u.email, u.deleted_at IS NOT NULL AS deleted, k.key AS named_as, \(settingColumns)
            FROM users u LEFT JOIN unnest($3::text[]) AS k(key) ON lower(u.email) = lower(k.key)
            WHERE u.account_id = $1 AND (($4 AND u.deleted_at IS NULL) OR u.id = ANY($2::uuid[]) OR k.key IS NOT NULL)
            """, [account, PostgresArray(ids), PostgresArray(emails), everyone])
    }

    /// Decodes `users`: each user once, with its settings as bits and every spelling
    /// of its email that a row used (two spellings can match one user: `lower()`
    /// folds more than ASCII).
    func decodeUsers(_ result: QueryResult) throws -> [TenantUser] {
        var users: [TenantUser] = []
        users.reserveCapacity(result.rows.count)
        var index: [UUID: Int] = [:]
        for row in result.decodedRows {
            let id: UUID = try row.decode("id")
            let named: String? = try row.decodeIfPresent("named_as")
            if let seen = index[id] {
                if let named { users[seen].emailKeys.append(named) }
                continue
            }
            var bits: UInt64 = 0
            for (index, name) in settings.enumerated() where try row.decode(name, as: Bool.self) {
                bits |= 1 << UInt64(index)
            }
            var user = TenantUser(id: id, email: try row.decode("email"), emailKey: named ?? "",
                                  deleted: try row.decode("deleted"), settings: bits)
            if named == nil { user.emailKeys = [] }
            index[id] = users.count
            users.append(user)
        }
        return users
    }

    /// Which of the keys the rows were authorized with were revoked since (a key
    /// revoked mid-run stops working at the next tenant). Expiry is not checked
    /// again: a grant stays valid for the run, as a request that started before
    /// expiry would. Runs as the connecting role inside the tenant's transaction
    /// (`TenantScope.opening(asConnectingRole:)`), so the account is named here and
    /// not left to row-level security, which a superuser bypasses.
    func revokedKeys(account: UUID, keys: Set<Principal.StoredKey>) -> Connection.PipelineStatement {
        var ids: [UUID] = []
        var kids: [String] = []
        for key in keys {
            switch key {
            case .apiKey(let id): ids.append(id)
            case .jwtKey(let kid): kids.append(kid)
            }
        }
        return Connection.PipelineStatement("""
            SELECT id::text AS key, false AS is_jwt FROM api_keys
            WHERE account_id = $1 AND id = ANY($2::uuid[]) AND revoked_at IS NOT NULL
            UNION ALL
            SELECT kid, true FROM jwt_keys WHERE account_id = $1 AND kid = ANY($3::text[]) AND revoked_at IS NOT NULL
            """, [account, PostgresArray(ids), PostgresArray(kids)])
    }

    func decodeRevokedKeys(_ result: QueryResult) throws -> Set<Principal.StoredKey> {
        var revoked = Set<Principal.StoredKey>()
        for row in result.decodedRows {
            let key: String = try row.decode("key")
            if try row.decode("is_jwt", as: Bool.self) {
                revoked.insert(.jwtKey(kid: key))
            } else if let id = UUID(uuidString: key) {
                revoked.insert(.apiKey(id))
            }
        }
        return revoked
    }

    /// A digest of everything a tenant's outcome depends on in the database: each
    /// user's id, email, deletion and settings, and the account's `mfa_required`. For
    /// saved plans: taken when planning, compared when applying.
    func fingerprint(account: UUID) -> Connection.PipelineStatement {
        let state = "jsonb_build_object(" + settings.map { "'\($0)', u.\"\($0)\"" }.joined(separator: ", ") + ")"
        return Connection.PipelineStatement("""
            SELECT md5(a.mfa_required::text || '|' || coalesce(string_agg(
                       u.id::text || '|' || lower(u.email) || '|' || (u.deleted_at IS NULL)::text || '|' || \(state)::text,
                       ',' ORDER BY u.id), '')) AS fingerprint
            FROM accounts a LEFT JOIN users u ON u.account_id = a.id
            WHERE a.id = $1
            GROUP BY a.mfa_required
            """, [account])
    }

    /// The changes, set-based, only where each user still has the settings the
    /// decision read (and is not deleted): if a concurrent writer changed one since,
    /// fewer rows match and `mfa_batch_expect_rows` raises SQLSTATE 40001, so the
    /// tenant is decided again from what is there now.
    func update(account: UUID, changes: [UserChange]) -> Connection.PipelineStatement {
        var columns = ["id"]
        var parameters: [(any PostgresParameter)?] = [account, PostgresArray(changes.map(\.user))]
        var types = ["$2::uuid[]"]
        for (index, _) in settings.enumerated() {
            columns.append("b\(index)")
            types.append("$\(parameters.count + 1)::boolean[]")
            parameters.append(PostgresArray(changes.map { $0.before & (1 << UInt64(index)) != 0 }))
        }
        for (index, _) in settings.enumerated() {
            columns.append("a\(index)")
            types.append("$\(parameters.count + 1)::boolean[]")
            parameters.append(PostgresArray(changes.map { $0.after & (1 << UInt64(index)) != 0 }))
        }
        parameters.append(changes.count)
        let assignments = settings.enumerated().map { "\"\($1)\" = c.a\($0)" }.joined(separator: ", ")
        let guards = settings.enumerated().map { " AND u.\"\($1)\" = c.b\($0)" }.joined()
        return Connection.PipelineStatement("""
            WITH updated AS (
                UPDATE users u SET \(assignments)
                FROM unnest(\(types.joined(separator: ", "))) AS c(\(columns.joined(separator: ", ")))
                WHERE u.account_id = $1 AND u.id = c.id AND u.deleted_at IS NULL\(guards)
                RETURNING 1)
            SELECT mfa_batch_expect_rows($\(parameters.count), count(*)) FROM updated
            """, parameters)
    }

    /// One audit row per user and deciding row, in one statement that Citus routes
    /// to the tenant's shard: it pushes an `INSERT … SELECT` down only when its
    /// distribution column comes from a co-located table filtered to one shard and
    /// it calls no volatile function — hence `account_id` taken from one `users` row
    /// of the tenant (one index probe; every audited user was just updated, so the
    /// tenant has users) and the ids made here rather than by `gen_random_uuid()`.
    /// On one node this costs what the plain `INSERT … SELECT $1, …` did.
    /// `changed_at` is the start of this statement: after the wait for the
    /// tenant's lock and after the `UPDATE`, so a user's audit rows of different
    /// runs sort in the order applied; within the statement the ids increase in
    /// entry order (manifest order), which orders rows of the same instant.
    func audit(account: UUID, runID: UUID, entries: [AuditEntry]) -> Connection.PipelineStatement {
        var parameters: [(any PostgresParameter)?] = [
            account, runID, PostgresArray(AuditIDs.ascending(count: entries.count)), PostgresArray(entries.map(\.user)),
            PostgresArray(entries.map(\.row)), PostgresArray(entries.map(\.credential)),
        ]
        var columns = ["id", "user_id", "row_no", "credential"]
        var types = ["$3::uuid[]", "$4::uuid[]", "$5::integer[]", "$6::text[]"]
        for (index, _) in settings.enumerated() {
            columns.append("b\(index)")
            types.append("$\(parameters.count + 1)::boolean[]")
            parameters.append(PostgresArray(entries.map { $0.before & (1 << UInt64(index)) != 0 }))
        }
        for (index, _) in settings.enumerated() {
            columns.append("a\(index)")
            types.append("$\(parameters.count + 1)::boolean[]")
            parameters.append(PostgresArray(entries.map { $0.after & (1 << UInt64(index)) != 0 }))
        }
        let before = "jsonb_build_object(" + settings.enumerated().map { "'\($1)', a.b\($0)" }.joined(separator: ", ") + ")"
        let after = "jsonb_build_object(" + settings.enumerated().map { "'\($1)', a.a\($0)" }.joined(separator: ", ") + ")"
        return Connection.PipelineStatement("""
            INSERT INTO mfa_audit (account_id, id, run_id, user_id, manifest_row, credential, before, after, changed_at)
            SELECT t.account_id, a.id, $2, a.user_id, a.row_no, a.credential, \(before), \(after), statement_timestamp()
            FROM (SELECT account_id FROM users WHERE account_id = $1 LIMIT 1) t
            CROSS JOIN unnest(\(types.joined(separator: ", "))) AS a(\(columns.joined(separator: ", ")))
            """, parameters)
    }
}
