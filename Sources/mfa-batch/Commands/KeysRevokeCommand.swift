import Foundation
import MFABatchCore

struct KeysRevokeCommand: Command {
    static let words = ["keys", "revoke"]
    static let summary = "revoke an API key by id"
    static let help = """
        usage: mfa-batch keys revoke KEY_ID [--database-url URL]

        Revokes the key (its id as shown by `keys list`); rows using it become 401
        "api key revoked". Revoking a revoked key changes nothing.
        """
    static let options = databaseOptions

    let arguments: ParsedArguments
    let console: Console
    let id: UUID

    init(_ arguments: ParsedArguments, console: Console) throws {
        id = try arguments.requireUUID("KEY_ID")
        self.arguments = arguments
        self.console = console
    }

    func run() throws -> ExitCode {
        let connection = try DatabaseAccess.connectMigrated(DatabaseAccess.settings(arguments, console))
        defer { connection.close() }
        switch try APIKeyAdmin.revoke(connection, id: id) {
        case .revoked: console.info("revoked key \(id.uuidString.lowercased())")
        case .alreadyRevoked: console.info("key \(id.uuidString.lowercased()) was already revoked")
        case .notFound: throw CLIError.usage("unknown key id \(id.uuidString.lowercased())")
        }
        return .success
    }
}
