import MFABatchCore

struct MigrateCommand: Command {
    static let words = ["migrate"]
    static let summary = "apply the schema migrations built into this binary"
    static let help = """
        usage: mfa-batch migrate [--database-url URL]

        Applies the migrations of sql/ (built into the binary) in order, each once and
        in its own transaction, recording a SHA-256 checksum. Refuses (exit 3) when an
        applied migration was changed. Works from any directory.
        """
    static let options = databaseOptions

    let arguments: ParsedArguments
    let console: Console

    init(_ arguments: ParsedArguments, console: Console) throws {
        _ = try arguments.requirePositionals([])
        self.arguments = arguments
        self.console = console
    }

    func run() throws -> ExitCode {
        let connection = try DatabaseAccess.connect(DatabaseAccess.settings(arguments, console))
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
