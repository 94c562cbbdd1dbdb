import Foundation
import MFABatchCore

struct RunsPruneCommand: Command {
    static let words = ["runs", "prune"]
    static let summary = "delete finished runs (and their rows) older than a duration"
    static let help = """
        usage: mfa-batch runs prune --older-than DURATION [--database-url URL]

        Deletes the runs that started more than DURATION ago (`90d`, `12h`, …) and are
        no longer running, with their per-row outcomes, so that the run history of
        nightly jobs does not grow forever. The audit trail (mfa_audit) is kept.
        """
    static let options: [OptionSpec] = databaseOptions + [.value("older-than")]

    let arguments: ParsedArguments
    let console: Console
    let seconds: Int

    init(_ arguments: ParsedArguments, console: Console) throws {
        _ = try arguments.requirePositionals([])
        guard let text = arguments.value("older-than") else { throw CLIError.usage("--older-than DURATION is required") }
        guard let seconds = DurationText.seconds(text) else {
            throw CLIError.usage("--older-than '\(text)' is not a duration like 90s, 30m, 12h or 90d")
        }
        self.seconds = seconds
        self.arguments = arguments
        self.console = console
    }

    func run() throws -> ExitCode {
        let connection = try DatabaseAccess.connectMigrated(DatabaseAccess.settings(arguments, console))
        defer { connection.close() }
        let deleted = try RunHistory.prune(connection, olderThanSeconds: seconds)
        console.info("deleted \(deleted.runs) runs and \(deleted.rows) row outcomes")
        return .success
    }
}
