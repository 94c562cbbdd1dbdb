import MFABatchCore

struct MigrateCommand: Command {
    typealias Options = DatabaseOptions

    static let configuration = CommandConfiguration(
        words: ["migrate"],
        summary: "apply the schema migrations built into this binary",
        discussion: """
            Applies the migrations of sql/ (built into the binary) in order, each once and
            in its own transaction, recording a SHA-256 checksum. Refuses (exit 3) when an
            applied migration was changed. Works from any directory. Run it with the role
            the tool uses day to day (it creates the non-owner role mfa_batch_tenant).
            """,
        examples: ["mfa-batch migrate", "mfa-batch migrate --database-url postgresql://mfa_batch@db.internal/app"],
        environment: [("DATABASE_URL", "the database when --database-url is not given")])

    let options: Options
    let console: Console

    init(options: Options, console: Console) throws {
        self.options = options
        self.console = console
    }

    func run() throws -> ExitCode {
        let connection = try DatabaseAccess.connect(DatabaseAccess.settings(options, console))
        defer { connection.close() }
        let applied = try Migrator().migrate(connection)
        if applied.isEmpty {
            console.info("database is up to date (\(Migration.bundled.count) migrations)")
        } else {
            for name in applied { console.info("applied \(name)") }
        }
        return .success
    }
}
