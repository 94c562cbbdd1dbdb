import Foundation
import MFABatchCore

struct RunsPruneCommand: Command {
    struct Options: ParsableArguments {
        var olderThan: DurationOption?
        var database = DatabaseOptions()

        static var declarations: [OptionDeclaration<Self>] {
            [
                .option("older-than", \.olderThan, placeholder: "DURATION",
                        help: "delete the runs that started longer ago than this: a whole number and s, m, h or d (90d)",
                        required: true),
            ] + DatabaseOptions.declarations.lifted(into: \.database)
        }
    }

    static let configuration = CommandConfiguration(
        words: ["runs", "prune"],
        summary: "delete finished runs (and their rows) older than a duration",
        discussion: """
            Deletes the runs that started more than DURATION ago and are no longer running,
            with their per-row outcomes, so that the run history of nightly jobs does not
            grow forever. The audit trail (mfa_audit) is kept.
            """,
        examples: ["mfa-batch runs prune --older-than 90d"],
        environment: [("DATABASE_URL", "the database when --database-url is not given")])

    let options: Options
    let console: Console

    init(options: Options, console: Console) throws {
        self.options = options
        self.console = console
    }

    func run() throws -> ExitCode {
        let connection = try DatabaseAccess.connectMigrated(DatabaseAccess.settings(options.database, console))
        defer { connection.close() }
        let deleted = try RunHistory.prune(connection, olderThanSeconds: options.olderThan?.seconds ?? 0)
        console.info("deleted \(deleted.runs) runs and \(deleted.rows) row outcomes")
        return .success
    }
}
