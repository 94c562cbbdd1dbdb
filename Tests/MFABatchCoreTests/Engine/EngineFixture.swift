import Crypto
import Foundation
import Postgres
import Testing
@testable import MFABatchCore

/// A migrated database of its own for one engine test, with helpers that seed
/// tenants directly (parameterized SQL, as operators and fixtures do), run
/// `ApplyRun` on a manifest written to a temporary file, and read back the JSON
/// report and the tables.
struct EngineFixture {
    let settings: ConnectionSettings
    /// The maintenance connection (no tenant set: sees every account).
    let db: Connection
    let directory: URL

    static func with(_ body: (EngineFixture) throws -> Void) throws {
        try MigratedDatabase.with { settings, connection in
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("mfa-engine-tests-\(UUID().uuidString.lowercased())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            try body(EngineFixture(settings: settings, db: connection, directory: directory))
        }
    }

    // MARK: Seeding

    @discardableResult
    func account(_ slug: String, mfaRequired: Bool = false) throws -> UUID {
        let id = UUID()
        try db.query("INSERT INTO accounts (id, slug, name, mfa_required) VALUES ($1, $2, $3, $4)",
                     [id, slug, slug.capitalized, mfaRequired])
        return id
    }

    @discardableResult
    func user(_ account: UUID, _ email: String, totp: Bool = false, passkey: Bool = false,
              deleted: Bool = false) throws -> UUID {
        let id = UUID()
        try db.query("""
            INSERT INTO users (account_id, id, email, totp_enabled, passkey_enabled, deleted_at)
            VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN now() - interval '1 day' END)
            """, [account, id, email, totp, passkey, deleted])
        return id
    }

    /// An API key row whose clear key the test knows.
    func apiKey(_ account: UUID, scopes: [String] = ["mfa:write"], revoked: Bool = false,
                expired: Bool = false) throws -> (key: String, id: UUID) {
        let (key, prefix, hash) = APIKeyFormat.generate()
        let id = UUID()
        try db.query("""
            INSERT INTO api_keys (account_id, id, name, prefix, key_hash, scopes, expires_at, revoked_at)
            VALUES ($1, $2, 'engine-test', $3, $4, $5::text[],
                    CASE WHEN $6 THEN now() - interval '1 hour' ELSE now() + interval '1 day' END,
                    CASE WHEN $7 THEN now() - interval '1 minute' END)
            """, [account, id, prefix, Data(hash), "{" + scopes.joined(separator: ",") + "}", expired, revoked])
        return (key, id)
    }

    func jwtKey(_ account: UUID, kid: String, secret: [UInt8]) throws {
        try db.query("INSERT INTO jwt_keys (account_id, kid, secret) VALUES ($1, $2, $3)", [account, kid, Data(secret)])
    }

    // MARK: Tokens (built here, independently of the verifier)

    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// An HS256 token for `account` and `subject`, one hour ahead; `scope` nil leaves the claim out.
    static func hs256(kid: String, secret: [UInt8], account: UUID, subject: UUID, scope: String?) -> String {
        let header = #"{"alg":"HS256","typ":"JWT","kid":"\#(kid)"}"#
        var payload = #"{"acct":"\#(account.uuidString.lowercased())","sub":"\#(subject.uuidString.lowercased())""#
        if let scope { payload += #","scope":"\#(scope)""# }
        payload += #","exp":\#(Int(Date().timeIntervalSince1970) + 3600)}"#
        let input = base64url(Array(header.utf8)) + "." + base64url(Array(payload.utf8))
        return input + "." + base64url(Crypto.hmacSHA256(key: secret, message: Array(input.utf8)))
    }

    // MARK: Running

    /// Writes `manifest` to a fresh file named `name` and runs `ApplyRun` on it.
    func run(_ manifest: String, name: String = "manifest.jsonl", mode: RunMode = .apply, partial: Bool = false,
             job: String? = nil, apiKey: String? = nil) throws -> EngineReport {
        try runner.run(manifest, name: name, mode: mode, partial: partial, job: job, apiKey: apiKey)
    }

    /// What running needs, without the maintenance connection: usable from other threads.
    var runner: EngineRunner { EngineRunner(settings: settings, directory: directory) }

    // MARK: Reading the tables

    /// `[totp_enabled, passkey_enabled]` of a user, as PostgreSQL prints booleans.
    func state(_ user: UUID) throws -> [String?] {
        try #require(try db.query("SELECT totp_enabled, passkey_enabled FROM users WHERE id = $1", [user]).rows.first)
    }

    func auditCount() throws -> Int {
        Int(try db.query("SELECT count(*) FROM mfa_audit").scalar ?? "-1") ?? -1
    }

    /// Every audit row: user id, account id, manifest row, credential, run id.
    func auditRows() throws -> [AuditRow] {
        try db.query("""
            SELECT user_id, account_id, manifest_row, credential, run_id, before::text, after::text FROM mfa_audit
            ORDER BY manifest_row, user_id
            """).rows.map { row in
            AuditRow(user: UUID(uuidString: row[0] ?? "")!, account: UUID(uuidString: row[1] ?? "")!,
                     manifestRow: Int(row[2] ?? "") ?? -1, credential: row[3] ?? "", run: row[4] ?? "",
                     before: row[5] ?? "", after: row[6] ?? "")
        }
    }

    /// One setting's value in the audit row of `user`: (before, after), as JSON text.
    func audited(_ user: UUID, _ field: String) throws -> [String?] {
        try #require(try db.query(
            "SELECT before ->> $2, after ->> $2 FROM mfa_audit WHERE user_id = $1", [user, field]).rows.first)
    }
}

struct EngineRunner: Sendable {
    let settings: ConnectionSettings
    let directory: URL

    /// Writes `manifest` to a fresh file named `name` and runs `ApplyRun` on it.
    func run(_ manifest: String, name: String = "manifest.jsonl", mode: RunMode = .apply, partial: Bool = false,
             job: String? = nil, apiKey: String? = nil) throws -> EngineReport {
        let stamp = UUID().uuidString.lowercased()
        let manifestPath = directory.appendingPathComponent(stamp + "-" + name).path
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: manifestPath))
        let reportPath = directory.appendingPathComponent(stamp + "-report.json").path
        let input = try ManifestInput(path: manifestPath, format: nil)
        let outputs = try RunOutputs(reportArguments: [reportPath], rejectsPath: nil,
                                     format: ManifestFormat(path: name) ?? .jsonl, columns: nil, quiet: true)
        let options = ApplyRun.Options(mode: mode, partial: partial, job: job,
                                       fallbacks: Authorizer.Fallbacks(file: nil, environmentAPIKey: apiKey))
        _ = try ApplyRun(settings: settings, schema: SettingsSchema.bundled, options: options)
            .run(input: input, outputs: outputs)
        let data = try Data(contentsOf: URL(fileURLWithPath: reportPath))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return EngineReport(json: object, manifestBytes: Array(manifest.utf8))
    }

}

struct AuditRow: Equatable {
    var user: UUID
    var account: UUID
    var manifestRow: Int
    var credential: String
    var run: String
    var before: String
    var after: String
}

/// The parsed JSON report of a run.
struct EngineReport {
    let json: [String: Any]
    let manifestBytes: [UInt8]

    var run: [String: Any] { json["run"] as? [String: Any] ?? [:] }
    var summary: [String: Any] { json["summary"] as? [String: Any] ?? [:] }
    var tenants: [[String: Any]] { json["tenants"] as? [[String: Any]] ?? [] }
    var rows: [[String: Any]] { json["rows"] as? [[String: Any]] ?? [] }
    var runID: String? { run["id"] as? String }

    /// Report row `n` (1-based, as the report numbers them).
    func row(_ n: Int) -> [String: Any] {
        rows.first { ($0["row"] as? Int) == n } ?? [:]
    }

    func status(_ n: Int) -> String? { row(n)["status"] as? String }
    func code(_ n: Int) -> Int? { row(n)["code"] as? Int }
    func error(_ n: Int) -> String { row(n)["error"] as? String ?? "" }
    func matched(_ n: Int) -> Int? { row(n)["users_matched"] as? Int }
    func changed(_ n: Int) -> Int? { row(n)["users_changed"] as? Int }
    func isNull(_ n: Int, _ field: String) -> Bool { row(n)[field] is NSNull }

    /// `[status, code]` of every row in manifest order, codes as text (`null` for none).
    var outcomes: [String] {
        rows.map { "\($0["status"] as? String ?? "?") \(($0["code"] as? Int).map(String.init) ?? "null")" }
    }

    func count(_ key: String) -> Int? { summary[key] as? Int }

    func tenant(_ slug: String) -> [String: Any] {
        tenants.first { ($0["account"] as? String) == slug } ?? [:]
    }
}

/// Manifest rows as JSON Lines, written by hand in each test.
enum JSONL {
    static func lines(_ rows: String...) -> String { rows.joined(separator: "\n") + "\n" }
}
