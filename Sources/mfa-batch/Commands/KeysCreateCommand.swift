import MFABatchCore

struct KeysCreateCommand: Command {
    static let words = ["keys", "create"]
    static let summary = "mint an API key for an account (printed once)"
    static let help = """
        usage: mfa-batch keys create --account ACCOUNT [--scope S]... [--expires-in DURATION] [--name NAME]

        Mints an API key for ACCOUNT (slug or id) and prints it on stdout, alone on
        its line, once: only its SHA-256 hash is stored. Details go to stderr.
          --scope S          a scope to grant; repeatable (default mfa:write)
          --expires-in D     lifetime: a whole number and s, m, h or d (90d)
          --name NAME        a label shown by `keys list`
          --database-url URL
        """
    static let options = databaseOptions + [
        .value("account"), .value("scope", repeatable: true), .value("expires-in"), .value("name"),
    ]

    let arguments: ParsedArguments
    let console: Console
    let account: String
    let scopes: [String]
    let expiresIn: Int?

    init(_ arguments: ParsedArguments, console: Console) throws {
        _ = try arguments.requirePositionals([])
        guard let account = arguments.value("account") else { throw CLIError.usage("--account is required") }
        self.account = account
        let scopes = arguments.values("scope")
        for scope in scopes where scope.isEmpty || scope.contains(where: \.isWhitespace) {
            throw CLIError.usage("--scope '\(scope)' is not a scope (no blanks allowed)")
        }
        self.scopes = scopes.isEmpty ? ["mfa:write"] : scopes
        if let text = arguments.value("expires-in") {
            guard let seconds = DurationText.seconds(text) else {
                throw CLIError.usage("--expires-in '\(text)' is not a duration like 90s, 30m, 12h or 90d")
            }
            expiresIn = seconds
        } else {
            expiresIn = nil
        }
        self.arguments = arguments
        self.console = console
    }

    func run() throws -> ExitCode {
        let connection = try DatabaseAccess.connectMigrated(DatabaseAccess.settings(arguments, console))
        defer { connection.close() }
        let record = try DatabaseAccess.account(connection, account)
        let created = try APIKeyAdmin.create(
            connection, account: record, scopes: scopes, expiresInSeconds: expiresIn, name: arguments.value("name"))
        guard console.out(created.key) else {
            // Shown to no one, so usable by no one: revoked at once.
            _ = try APIKeyAdmin.revoke(connection, id: created.id)
            throw CLIError(exitCode: .database, message: "the key could not be printed on stdout, so key \(created.id) was revoked; run again with a working stdout")
        }
        console.info("created key \(created.id) (\(created.prefix)…) for \(record.slug), scopes \(scopes.joined(separator: " ")), expires \(created.expiresAt ?? "never"); it is shown only this once")
        return .success
    }
}
