import Foundation
import Postgres

/// A fresh, empty database on the test server for one test, dropped afterwards.
/// The server is the one `scripts/with-postgres` (or `scripts/with-citus`) started
/// (`DATABASE_URL`); with no `DATABASE_URL` the test fails loudly instead of
/// skipping, so a missing server can never look like a pass.
///
/// Variants, chosen by the environment `scripts/test` sets:
/// - `MFA_TEST_CITUS_NODES` ("HOST:PORT …", coordinator first): the database is
///   created on every node of the Citus cluster, with the citus extension, and the
///   workers are added to it, so `migrate` distributes the schema (migration 0013).
/// - `MFA_TEST_PGBOUNCER_URL` (a PgBouncer in transaction pooling mode in front of
///   the server, with a `*` wildcard database): `toolSettings(for:)` gives the tool
///   under test a connection through it, while the tests' own connections (fixtures,
///   observers of pg_locks and pg_stat_activity) stay direct.
public enum TestDatabase {
    public struct MissingServer: Error, CustomStringConvertible {
        public var description: String {
            "DATABASE_URL is not set: run the suite with scripts/test (it starts PostgreSQL)"
        }
    }

    /// Settings of the server's maintenance database, from `DATABASE_URL`.
    public static func serverSettings() throws -> ConnectionSettings {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw MissingServer()
        }
        return ConnectionSettings(conninfo: url)
    }

    /// Creates a database with a unique name, runs `body` with its settings, drops it.
    public static func with<T>(_ body: (ConnectionSettings) throws -> T) throws -> T {
        let server = try serverSettings()
        let name = "mfa_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try Connection(settings: server)
        defer { admin.close() }
        try admin.query("CREATE DATABASE " + admin.escapeIdentifier(name))
        defer {
            _ = try? admin.query("DROP DATABASE IF EXISTS " + admin.escapeIdentifier(name) + " WITH (FORCE)")
        }
        let settings = server.replacingDatabase(with: name)
        if let citus = CitusTestCluster.fromEnvironment() {
            defer { citus.dropWorkerDatabases(name) }
            try settingUp {
                try citus.createWorkerDatabases(name)
                try citus.prepareCoordinator(settings)
            }
            return try body(settings)
        }
        return try body(settings)
    }

    /// Runs `body` — a test database's set-up: adding the Citus nodes, migrating —
    /// alone on a Citus cluster (an advisory lock in the coordinator's maintenance
    /// database, so across test processes too); as is elsewhere. Citus copies the
    /// cluster's roles to the workers with `ALTER ROLE` when a node is added (and
    /// migrating the first database creates and alters the tenant role): two of those
    /// at once, from two test databases, fail with "tuple concurrently updated".
    /// Operators add nodes and migrate one database at a time; parallel tests do not.
    @discardableResult
    public static func settingUp<T>(_ body: () throws -> T) throws -> T {
        guard CitusTestCluster.fromEnvironment() != nil else { return try body() }
        let admin = try Connection(settings: try serverSettings())
        defer { admin.close() }
        try admin.query("SELECT pg_advisory_lock(hashtext('mfa_batch.tests.citus_setup'))")
        return try body()
    }

    /// Whether the suite runs against a Citus cluster.
    public static var isCitus: Bool { CitusTestCluster.fromEnvironment() != nil }

    /// Whether the tool under test connects through PgBouncer.
    public static var throughPgBouncer: Bool {
        !(ProcessInfo.processInfo.environment["MFA_TEST_PGBOUNCER_URL"] ?? "").isEmpty
    }

    /// What the tool under test is given for a database of `with`: the same settings,
    /// or, with `MFA_TEST_PGBOUNCER_URL`, the same database through PgBouncer. Settings
    /// that are not exactly a database of `with` (another user, a bad URL) stay as
    /// they are.
    public static func toolSettings(for settings: ConnectionSettings) -> ConnectionSettings {
        guard let pooler = ProcessInfo.processInfo.environment["MFA_TEST_PGBOUNCER_URL"], !pooler.isEmpty,
              let server = try? serverSettings(), settings.conninfo.hasPrefix(server.conninfo) else {
            return settings
        }
        let rest = settings.conninfo.dropFirst(server.conninfo.count)
        for separator in ["&dbname=", "?dbname="] where rest.hasPrefix(separator) {
            let encoded = rest.dropFirst(separator.count)
            guard let name = String(encoded).removingPercentEncoding,
                  name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return settings }
            return ConnectionSettings(conninfo: pooler).replacingDatabase(with: name)
        }
        return settings
    }
}

/// The nodes of the Citus cluster of `scripts/with-citus`, from `MFA_TEST_CITUS_NODES`
/// ("HOST:PORT HOST:PORT …", coordinator first). Citus 12.1 does not propagate
/// `CREATE DATABASE`: a test database is created on each worker by hand, with the
/// extension, and the coordinator's copy is told where the nodes are.
struct CitusTestCluster {
    var coordinator: (host: String, port: Int)
    var workers: [(host: String, port: Int)]

    static func fromEnvironment() -> CitusTestCluster? {
        guard let text = ProcessInfo.processInfo.environment["MFA_TEST_CITUS_NODES"], !text.isEmpty else { return nil }
        let nodes = text.split(separator: " ").compactMap { item -> (host: String, port: Int)? in
            guard let colon = item.lastIndex(of: ":"), let port = Int(item[item.index(after: colon)...]) else { return nil }
            return (String(item[..<colon]), port)
        }
        guard let first = nodes.first else { return nil }
        return CitusTestCluster(coordinator: first, workers: Array(nodes.dropFirst()))
    }

    private func settings(_ node: (host: String, port: Int), database: String) -> ConnectionSettings {
        ConnectionSettings(conninfo: "postgresql://postgres@\(node.host):\(node.port)/postgres")
            .replacingDatabase(with: database)
    }

    func createWorkerDatabases(_ name: String) throws {
        for worker in workers {
            let admin = try Connection(settings: settings(worker, database: "postgres"))
            defer { admin.close() }
            try admin.query("CREATE DATABASE " + admin.escapeIdentifier(name))
            let database = try Connection(settings: settings(worker, database: name))
            defer { database.close() }
            try database.query("CREATE EXTENSION citus")
        }
    }

    func dropWorkerDatabases(_ name: String) {
        for worker in workers {
            guard let admin = try? Connection(settings: settings(worker, database: "postgres")) else { continue }
            defer { admin.close() }
            if let quoted = try? admin.escapeIdentifier(name) {
                _ = try? admin.query("DROP DATABASE IF EXISTS " + quoted + " WITH (FORCE)")
            }
        }
    }

    func prepareCoordinator(_ settings: ConnectionSettings) throws {
        let connection = try Connection(settings: settings)
        defer { connection.close() }
        try connection.query("CREATE EXTENSION citus")
        try connection.query("SELECT citus_set_coordinator_host($1, $2)", [coordinator.host, coordinator.port])
        for worker in workers {
            try connection.query("SELECT citus_add_node($1, $2)", [worker.host, worker.port])
        }
    }
}
