import MFABatchCore

struct KeysListCommand: Command {
    struct Options: ParsableArguments {
        var account: String?
        var json = false
        var database = DatabaseOptions()

        static var declarations: [OptionDeclaration<Self>] {
            [
                .option("account", \.account, placeholder: "ACCOUNT", help: "the account (slug or id)", required: true),
                .flag("json", \.json,
                      help: "an array of objects with id, name, prefix, scopes, created_at, expires_at, revoked_at"),
            ] + DatabaseOptions.declarations.lifted(into: \.database)
        }
    }

    static let configuration = CommandConfiguration(
        words: ["keys", "list"],
        summary: "list an account's API keys (never the secret)",
        discussion: """
            Lists the account's keys: id, name, visible prefix, scopes, created, expires,
            revoked. Never the key itself (only its hash is stored).
            """,
        examples: ["mfa-batch keys list --account acme", "mfa-batch keys list --account acme --json"],
        environment: [("DATABASE_URL", "the database when --database-url is not given")])

    let options: Options
    let console: Console
    let account: String

    init(options: Options, console: Console) throws {
        self.options = options
        self.console = console
        account = options.account ?? ""
    }

    func run() throws -> ExitCode {
        let connection = try DatabaseAccess.connectMigrated(DatabaseAccess.settings(options.database, console))
        defer { connection.close() }
        let record = try DatabaseAccess.account(connection, account)
        let keys = try APIKeyAdmin.list(connection, account: record)
        if options.json {
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
