import Foundation
import Postgres
import Testing
import TestSupport

/// What the unattended-run tests need beyond `CLIHarness`: the binary as a child
/// process that can be signalled or killed mid-run, a deterministic pause inside a
/// tenant's transaction, and bounded polling for conditions in the database.

struct UnattendedTimeout: Error, CustomStringConvertible {
    var description: String
}

/// Polls `condition` every 20 ms until it holds, for at most `seconds`.
func waitUntil(_ what: String, seconds: Double = 30, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try condition() { return }
        if Date() >= deadline { throw UnattendedTimeout(description: "timed out after \(seconds) s waiting until \(what)") }
        usleep(20_000)
    }
}

/// The built `mfa-batch` running as a child process. Its libpq connections carry
/// `application_name` = `appName` (through `PGAPPNAME`), so the test can find its
/// backends in `pg_stat_activity` / `pg_locks`.
final class ToolProcess {
    let process = Process()
    let appName = "unattended-" + UUID().uuidString.prefix(8).lowercased()
    private let scratch: URL
    private let outURL: URL
    private let errURL: URL
    private let exited = DispatchSemaphore(value: 0)

    struct Exit {
        var status: Int32
        var signalled: Bool
        var stdout: String
        var stderr: String
    }

    init(_ arguments: [String], settings: ConnectionSettings, environment: [String: String] = [:]) throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mfa-unattended-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        outURL = scratch.appendingPathComponent("out")
        errURL = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.executableURL = Subprocess.mfaBatchBinary()
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = settings.conninfo
        env["PGAPPNAME"] = appName
        env.removeValue(forKey: "MFA_BATCH_API_KEY")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        let exited = self.exited
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: scratch)
    }

    var pid: pid_t { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var stderrSoFar: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to end, at most `seconds` (then kills it and throws).
    func wait(seconds: Double = 30) throws -> Exit {
        if exited.wait(timeout: .now() + seconds) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            _ = exited.wait(timeout: .now() + 10)
            throw UnattendedTimeout(description: "mfa-batch \(process.arguments ?? []) still running after \(seconds) s; stderr: \(stderrSoFar)")
        }
        process.waitUntilExit()
        return Exit(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                    stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "", stderr: stderrSoFar)
    }
}

/// A pause inside one tenant's transaction, at its `UPDATE` of `users`.
///
/// On one server: a `BEFORE UPDATE` trigger on `users` for that account takes
/// `pg_advisory_xact_lock_shared(777)` while the test holds `pg_advisory_lock(777)` on
/// a connection of its own. On Citus the trigger would run on a worker, where the
/// test's lock is not: the test instead holds every user row of the account
/// (`SELECT … FOR UPDATE` in an open transaction), so the tool's `UPDATE` waits for
/// them on the worker, and `citus_stat_activity` shows that wait under the global
/// pid of the tool's coordinator backend.
final class TenantPause {
    static let key: Int64 = 777
    let holder: Connection
    private let citus = TestDatabase.isCitus
    private var held = false

    /// Installs the pause for `account` (through `connection`, the owner) and takes the lock.
    init(settings: ConnectionSettings, installOn connection: Connection, account: UUID) throws {
        holder = try Connection(settings: settings)
        if citus {
            try holder.query("BEGIN")
            try holder.query("SELECT count(*) FROM (SELECT 1 FROM users WHERE account_id = $1 FOR UPDATE) s", [account])
            held = true
            return
        }
        try connection.execute(script: """
            CREATE OR REPLACE FUNCTION unattended_pause() RETURNS trigger
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            BEGIN
                PERFORM pg_advisory_xact_lock_shared(\(TenantPause.key));
                RETURN NEW;
            END
            $$;
            GRANT EXECUTE ON FUNCTION unattended_pause() TO mfa_batch_tenant;
            CREATE TRIGGER unattended_pause_\(account.uuidString.prefix(8).lowercased())
                BEFORE UPDATE ON users FOR EACH ROW
                WHEN (NEW.account_id = '\(account.uuidString.lowercased())'::uuid)
                EXECUTE FUNCTION unattended_pause();
            """)
        try holder.query("SELECT pg_advisory_lock($1)", [TenantPause.key])
        held = true
    }

    deinit {
        release()
        holder.close()
    }

    func release() {
        guard held else { return }
        held = false
        if citus {
            _ = try? holder.query("ROLLBACK")
        } else {
            _ = try? holder.query("SELECT pg_advisory_unlock($1)", [TenantPause.key])
        }
    }

    /// Backends of `appName` waiting in the pause.
    static func waiting(_ connection: Connection, appName: String) throws -> Int {
        if TestDatabase.isCitus {
            return Int(try connection.query("""
                SELECT count(DISTINCT c.global_pid) FROM citus_stat_activity c
                JOIN citus_stat_activity w ON w.global_pid = c.global_pid AND w.is_worker_query
                WHERE NOT c.is_worker_query AND c.application_name = $1 AND c.datname = current_database()
                  AND w.wait_event_type = 'Lock'
                """, [appName]).scalar ?? "0") ?? 0
        }
        return Int(try connection.query("""
            SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND NOT l.granted AND l.classid = 0 AND l.objid = $2 AND l.objsubid = 1
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND a.application_name = $1
            """, [appName, Int64(key)]).scalar ?? "0") ?? 0
    }

    /// Terminates the server backend of `appName` that waits in the pause (on Citus,
    /// the tool's coordinator backend whose statement waits on a worker); returns how
    /// many were terminated.
    static func terminateWaiting(_ connection: Connection, appName: String) throws -> Int {
        if TestDatabase.isCitus {
            return Int(try connection.query("""
                SELECT count(*) FILTER (WHERE pg_terminate_backend(p.pid)) FROM (
                    SELECT DISTINCT c.pid FROM citus_stat_activity c
                    JOIN citus_stat_activity w ON w.global_pid = c.global_pid AND w.is_worker_query
                    WHERE NOT c.is_worker_query AND c.application_name = $1 AND c.datname = current_database()
                      AND w.wait_event_type = 'Lock') p
                """, [appName]).scalar ?? "0") ?? 0
        }
        return Int(try connection.query("""
            SELECT count(*) FILTER (WHERE pg_terminate_backend(l.pid))
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND NOT l.granted AND l.objid = $2 AND l.objsubid = 1
              AND a.datname = current_database() AND a.application_name = $1
            """, [appName, Int64(key)]).scalar ?? "0") ?? 0
    }

    /// Waits until `tool` is blocked in the pause (fails early if it exits instead).
    func waitUntilPaused(_ tool: ToolProcess, observer connection: Connection) throws {
        try waitUntil("mfa-batch (\(tool.appName)) waits in the paused tenant") {
            if !tool.isRunning {
                throw UnattendedTimeout(description: "mfa-batch exited before reaching the pause: \(tool.stderrSoFar)")
            }
            return try TenantPause.waiting(connection, appName: tool.appName) >= 1
        }
    }
}

/// Backends of `appName` that may still hold something: running a statement or in
/// a transaction. (Behind PgBouncer, the server connections that last served the
/// tool stay in the pool, idle, still named after it; directly, a killed tool's
/// backends end.)
func backendCount(_ connection: Connection, appName: String) throws -> Int {
    Int(try connection.query("""
        SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state IS DISTINCT FROM 'idle'
        """, [appName]).scalar ?? "0") ?? 0
}

/// How many of `appNames` have a backend waiting for a heavyweight lock in this
/// database (on Citus: on the coordinator, or on a worker for a statement of theirs).
func lockWaiters(_ connection: Connection, appNames: [String]) throws -> Int {
    if TestDatabase.isCitus {
        return Int(try connection.query("""
            SELECT count(DISTINCT c.application_name) FROM citus_stat_activity c
            JOIN citus_stat_activity w ON w.global_pid = c.global_pid
            WHERE NOT c.is_worker_query AND c.datname = current_database() AND w.wait_event_type = 'Lock'
              AND c.application_name = ANY (string_to_array($1, ','))
            """, [appNames.joined(separator: ",")]).scalar ?? "0") ?? 0
    }
    return Int(try connection.query("""
        SELECT count(DISTINCT application_name) FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'
          AND application_name = ANY (string_to_array($1, ','))
        """, [appNames.joined(separator: ",")]).scalar ?? "0") ?? 0
}

/// Terminates the backends of `appName` waiting for a lock (on Citus, the
/// coordinator backend of a statement that waits on the coordinator or a worker).
func terminateLockWaiters(_ connection: Connection, appName: String) throws -> Int {
    if TestDatabase.isCitus {
        return Int(try connection.query("""
            SELECT count(*) FILTER (WHERE pg_terminate_backend(p.pid)) FROM (
                SELECT DISTINCT c.pid FROM citus_stat_activity c JOIN citus_stat_activity w ON w.global_pid = c.global_pid
                WHERE NOT c.is_worker_query AND c.application_name = $1 AND c.datname = current_database()
                  AND w.wait_event_type = 'Lock') p
            """, [appName]).scalar ?? "0") ?? 0
    }
    return Int(try connection.query("""
        SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
        WHERE application_name = $1 AND wait_event_type = 'Lock'
        """, [appName]).scalar ?? "0") ?? 0
}

/// What the backends of `appNames` are doing, for failure messages.
func activity(_ connection: Connection, appNames: [String]) throws -> String {
    try connection.query("""
        SELECT application_name, state, wait_event_type, wait_event, left(query, 60) FROM pg_stat_activity
        WHERE application_name = ANY (string_to_array($1, ',')) ORDER BY application_name
        """, [appNames.joined(separator: ",")]).rows.map { $0.map { $0 ?? "-" }.joined(separator: " | ") }.joined(separator: "\n")
}

/// A seeded tenant: its account and users (id, email), all settings false.
struct SeededTenant {
    var slug: String
    var id: UUID
    var users: [(id: UUID, email: String)]
}

enum UnattendedFixture {
    static func seed(_ connection: Connection, slug: String, users count: Int) throws -> SeededTenant {
        let id = UUID()
        try connection.query("INSERT INTO accounts (id, slug, name) VALUES ($1, $2, $2)", [id, slug])
        var users: [(id: UUID, email: String)] = []
        for index in 1...count {
            let user = UUID(), email = "u\(index)@\(slug).test"
            try connection.query("INSERT INTO users (account_id, id, email) VALUES ($1, $2, $3)", [id, user, email])
            users.append((user, email))
        }
        return SeededTenant(slug: slug, id: id, users: users)
    }

    /// Mints a key per tenant with `keys create` and writes a `--credentials` file.
    static func credentials(_ harness: CLIHarness, _ tenants: [SeededTenant], in directory: URL) throws -> URL {
        var entries: [String] = []
        for tenant in tenants {
            let created = try harness.run(["keys", "create", "--account", tenant.slug])
            guard created.status == 0, let line = created.stdout.split(separator: "\n").first else {
                throw MigrateFailed(stderr: created.stderr)
            }
            entries.append("\"\(tenant.slug)\": {\"api_key\": \"\(line)\"}")
        }
        let url = directory.appendingPathComponent("credentials.json")
        try Data(("{" + entries.joined(separator: ", ") + "}").utf8).write(to: url)
        // Private, as an operator keeps it (a readable one draws a warning on stderr).
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        return url
    }

    /// `users` settings of `account`, by user id: "t"/"f" per setting.
    static func settings(_ connection: Connection, _ account: UUID) throws -> [UUID: (totp: String?, passkey: String?)] {
        var result: [UUID: (totp: String?, passkey: String?)] = [:]
        for row in try connection.query(
            "SELECT id, totp_enabled, passkey_enabled FROM users WHERE account_id = $1", [account]).rows {
            if let id = row[0].flatMap(UUID.init(uuidString:)) { result[id] = (row[1], row[2]) }
        }
        return result
    }

    static func report(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    static func rows(_ report: [String: Any]) -> [[String: Any]] {
        report["rows"] as? [[String: Any]] ?? []
    }

    static func runID(_ report: [String: Any]) -> String? {
        (report["run"] as? [String: Any])?["id"] as? String
    }
}
