import Foundation
import MFABatchCore

struct KeysRevokeCommand: Command {
    struct Options: ParsableArguments {
        var keyID: String?
        var database = DatabaseOptions()

        static var declarations: [OptionDeclaration<Self>] {
            [.positional("KEY_ID", \.keyID, help: "the key's id, as `keys list` shows it", completion: .none)]
                + DatabaseOptions.declarations.lifted(into: \.database)
        }
    }

    static let configuration = CommandConfiguration(
        words: ["keys", "revoke"],
        summary: "revoke an API key by id",
        discussion: """
            Revokes the key; rows using it become 401 "api key revoked". Revoking a revoked
            key changes nothing.
            """,
        examples: ["mfa-batch keys revoke 6b1d9c1e-3f0a-4b8e-9c2d-7e5f4a3b2c10"],
        environment: [("DATABASE_URL", "the database when --database-url is not given")])

    let options: Options
    let console: Console
    let id: UUID

    init(options: Options, console: Console) throws {
        id = try parseID(options.keyID, name: "KEY_ID")
        self.options = options
        self.console = console
    }

    func run() throws -> ExitCode {
        let connection = try DatabaseAccess.connectMigrated(DatabaseAccess.settings(options.database, console))
        defer { connection.close() }
        switch try APIKeyAdmin.revoke(connection, id: id) {
        case .revoked: console.info("revoked key \(id.uuidString.lowercased())")
        case .alreadyRevoked: console.info("key \(id.uuidString.lowercased()) was already revoked")
        case .notFound: throw CLIError.usage("unknown key id \(id.uuidString.lowercased())")
        }
        return .success
    }
}
