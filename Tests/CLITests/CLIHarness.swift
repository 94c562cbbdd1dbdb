import Foundation
import Postgres
import TestSupport

/// Runs the built `mfa-batch` against a database, as an operator would.
struct CLIHarness {
    /// The database, directly: for the test's own connections (fixtures, observers).
    let settings: ConnectionSettings
    /// The same database as the tool under test reaches it: through PgBouncer in
    /// the suite's PgBouncer variant (`TestDatabase.toolSettings(for:)`), else directly.
    let toolSettings: ConnectionSettings

    init(settings: ConnectionSettings) {
        self.settings = settings
        toolSettings = TestDatabase.toolSettings(for: settings)
    }

    @discardableResult
    func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String?] = [:],
             currentDirectory: URL? = nil) throws -> ProcessOutput {
        var env = environment
        if env["DATABASE_URL"] == nil { env["DATABASE_URL"] = toolSettings.conninfo }
        return try Subprocess.run(Subprocess.mfaBatchBinary(), arguments, stdin: stdin, environment: env,
                                  currentDirectory: currentDirectory)
    }

    /// A fresh database, migrated by the binary itself.
    static func withMigratedDatabase<T>(_ body: (CLIHarness, Connection) throws -> T) throws -> T {
        try TestDatabase.with { settings in
            let harness = CLIHarness(settings: settings)
            let migrate = try TestDatabase.settingUp { try harness.run(["migrate"]) }
            guard migrate.status == 0 else { throw MigrateFailed(stderr: migrate.stderr) }
            let connection = try Connection(settings: settings)
            defer { connection.close() }
            return try body(harness, connection)
        }
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mfa-cli-test-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

struct MigrateFailed: Error { var stderr: String }
