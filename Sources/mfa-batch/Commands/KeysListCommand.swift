import MFABatchCore

struct KeysListCommand: Command {
    static let words = ["keys", "list"]
    static let summary = "list an account's API keys (never the secret)"
    static let help = """
        usage: mfa-batch keys list --account ACCOUNT [--json] [--database-url URL]

        Lists the account's keys: id, name, visible prefix, scopes, created, expires,
        revoked. Never the key itself (only its hash is stored).
          --json   an array of objects with id, name, prefix, scopes, created_at,
                   expires_at, revoked_at
        """
    static let options = databaseOptions + [.value("account"), .flag("json")]

    let arguments: ParsedArguments
    let console: Console
    let account: String

    init(_ arguments: ParsedArguments, console: Console) throws {
        _ = try arguments.requirePositionals([])
        guard let account = arguments.value("account") else { throw CLIError.usage("--account is required") }
        self.account = account
        self.arguments = arguments
        self.console = console
    }

    func run() throws -> ExitCode {
        let connection = try DatabaseAccess.connectMigrated(DatabaseAccess.settings(arguments, console))
        defer { connection.close() }
        let record = try DatabaseAccess.account(connection, account)
        let keys = try APIKeyAdmin.list(connection, account: record)
        if arguments.flag("json") {
            let objects = keys.map { key in
                JSONText.object([
                    ("id", JSONText.string(key.id.uuidString.lowercased())),
                    ("name", key.name.map(JSONText.string) ?? "null"),
                    ("prefix", JSONText.string(key.prefix)),
                    ("scopes", "[" + key.scopes.map(JSONText.string).joined(separator: ",") + "]"),
                    ("created_at", JSONText.string(key.createdAt)),
                    ("expires_at", key.expiresAt.map(JSONText.string) ?? "null"),
                    ("revoked_at", key.revokedAt.map(JSONText.string) ?? "null"),
                ])
            }
            console.out("[" + objects.joined(separator: ",\n ") + "]")
        } else if keys.isEmpty {
            console.out("no keys for \(record.slug)")
        } else {
            console.out(["id", "prefix", "name", "scopes", "created_at", "expires_at", "revoked_at"].joined(separator: "\t"))
            for key in keys {
                console.out([key.id.uuidString.lowercased(), key.prefix, key.name ?? "-", key.scopes.joined(separator: " "),
                              key.createdAt, key.expiresAt ?? "-", key.revokedAt ?? "-"].joined(separator: "\t"))
            }
        }
        return .success
    }
}
