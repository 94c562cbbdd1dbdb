import MFABatchCore

struct KeysCreateCommand: Command {
    struct Options: ParsableArguments {
        var account: String?
        var scopes: [String] = []
        var expiresIn: DurationOption?
        var name: String?
        var database = DatabaseOptions()

        static var declarations: [OptionDeclaration<Self>] {
            [
                .option("account", \.account, placeholder: "ACCOUNT", help: "the account (slug or id)", required: true),
                .repeatable("scope", \.scopes, placeholder: "S", help: "a scope to grant", defaultText: "mfa:write",
                            valid: { !$0.isEmpty && !$0.contains(where: \.isWhitespace) },
                            expected: "a scope (no blanks allowed)"),
                .option("expires-in", \.expiresIn, placeholder: "DURATION",
                        help: "lifetime: a whole number and s, m, h or d (90d)", defaultText: "never expires"),
                .option("name", \.name, placeholder: "NAME", help: "a label shown by `keys list`"),
            ] + DatabaseOptions.declarations.lifted(into: \.database)
        }
    }

    static let configuration = CommandConfiguration(
        words: ["keys", "create"],
        summary: "mint an API key for an account (printed once)",
        discussion: """
            Mints an API key for ACCOUNT and prints it on stdout, alone on its line, once:
            only its SHA-256 hash is stored. Details go to stderr.
            """,
        examples: ["mfa-batch keys create --account acme --name nightly --expires-in 90d > acme.key"],
        environment: [("DATABASE_URL", "the database when --database-url is not given")])

    let options: Options
    let console: Console
    let account: String
    let scopes: [String]

    init(options: Options, console: Console) throws {
        self.options = options
        self.console = console
        account = options.account ?? ""
        scopes = options.scopes.isEmpty ? ["mfa:write"] : options.scopes
    }

    func run() throws -> ExitCode {
        let connection = try DatabaseAccess.connectMigrated(DatabaseAccess.settings(options.database, console))
        defer { connection.close() }
        let record = try DatabaseAccess.account(connection, account)
        let created = try APIKeyAdmin.create(
            connection, account: record, scopes: scopes, expiresInSeconds: options.expiresIn?.seconds, name: options.name)
        guard console.out(created.key) else {
            // Shown to no one, so usable by no one: revoked at once.
            _ = try APIKeyAdmin.revoke(connection, id: created.id)
            throw CLIError(exitCode: .database, message: "the key could not be printed on stdout, so key \(created.id) was revoked; run again with a working stdout")
        }
        console.info("created key \(created.id) (\(created.prefix)…) for \(record.slug), scopes \(scopes.joined(separator: " ")), expires \(created.expiresAt ?? "never"); it is shown only this once")
        return .success
    }
}
