import Foundation
import MFABatchCore

struct RunsCommand: Command {
    struct Options: ParsableArguments {
        var limit = 20
        var json = false
        var database = DatabaseOptions()

        static var declarations: [OptionDeclaration<Self>] {
            [
                .option("limit", \.limit, placeholder: "N", help: "how many runs", defaultText: "20",
                        valid: { $0 > 0 }, expected: "a positive number"),
                .flag("json", \.json, help: "one JSON object per run, one a line"),
            ] + DatabaseOptions.declarations.lifted(into: \.database)
        }
    }

    static let configuration = CommandConfiguration(
        words: ["runs"],
        summary: "list recent runs, newest first",
        discussion: """
            Recent runs of apply / plan / dry run, newest first: id, job, mode, start, end,
            outcome (running, succeeded, rows_failed, interrupted, database_error, refused,
            report_failed, died) and counts. A run whose process is gone shows as `died`.
            Subcommands: `runs show RUN_ID` and `runs prune`.
            """,
        examples: ["mfa-batch runs --limit 5", "mfa-batch runs --json | jq -r 'select(.outcome != \"succeeded\") | .id'"],
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
        let entries = try RunHistory.list(connection, limit: options.limit)
        if options.json {
            for entry in entries {
                console.out(JSONText.object([
                    ("id", JSONText.string(entry.id)), ("job", entry.job.map(JSONText.string) ?? "null"),
                    ("mode", JSONText.string(entry.mode)), ("started_at", JSONText.string(entry.startedAt)),
                    ("finished_at", entry.finishedAt.map(JSONText.string) ?? "null"),
                    ("outcome", JSONText.string(entry.outcome)), ("counts", entry.counts ?? "null"),
                    ("manifest", JSONText.string(entry.manifest)),
                ]))
            }
            return .success
        }
        if entries.isEmpty {
            console.out("no runs yet")
            return .success
        }
        console.out(["id", "job", "mode", "started_at", "finished_at", "outcome", "counts"].joined(separator: "\t"))
        for entry in entries {
            console.out([entry.id, entry.job ?? "-", entry.mode, entry.startedAt, entry.finishedAt ?? "-", entry.outcome,
                         RunsCommand.shortCounts(entry.counts)].joined(separator: "\t"))
        }
        return .success
    }

    /// `rows=3 changed=1 unchanged=2` from the counts JSON (non-zero statuses only).
    static func shortCounts(_ json: String?) -> String {
        guard let json, let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            return "-"
        }
        var parts = ["rows=\((object["rows"] as? NSNumber)?.intValue ?? 0)"]
        for status in RowStatus.allCases {
            if let count = (object[status.rawValue] as? NSNumber)?.intValue, count > 0 { parts.append("\(status.rawValue)=\(count)") }
        }
        if let users = (object["users_changed"] as? NSNumber)?.intValue { parts.append("users_changed=\(users)") }
        return parts.joined(separator: " ")
    }
}

struct RunsShowCommand: Command {
    struct Options: ParsableArguments {
        var runID: String?
        var reports: [String] = []
        var quiet = false
        var database = DatabaseOptions()

        static var declarations: [OptionDeclaration<Self>] {
            [
                .positional("RUN_ID", \.runID, help: "the run's id, as `mfa-batch runs` shows it", completion: .none),
                .repeatable("report", \.reports, placeholder: "PATH",
                            help: "write the run's full report again, identical to the one the run wrote: .csv the CSV form, .html a page for review, anything else JSON; `-` is JSON on stdout",
                            max: 2, completion: .file),
                .flag("quiet", \.quiet, help: "no summary on stdout"),
            ] + DatabaseOptions.declarations.lifted(into: \.database)
        }
    }

    static let configuration = CommandConfiguration(
        words: ["runs", "show"],
        summary: "one run's summary; --report re-exports its full report",
        discussion: "Prints the run's summary; with --report writes its full report again from the run history.",
        examples: ["mfa-batch runs show 4f0c2a9e-8d5b-4c1e-9a7f-2b3c4d5e6f70 --report again.json"],
        environment: [("DATABASE_URL", "the database when --database-url is not given")])

    let options: Options
    let console: Console
    let id: UUID

    init(options: Options, console: Console) throws {
        id = try parseID(options.runID, name: "RUN_ID")
        self.options = options
        self.console = console
    }

    func run() throws -> ExitCode {
        let connection = try DatabaseAccess.connectMigrated(DatabaseAccess.settings(options.database, console))
        defer { connection.close() }
        guard let entry = try RunHistory.find(connection, id: id) else {
            throw CLIError.usage("no run \(id.uuidString.lowercased())")
        }
        if !options.quiet && !options.reports.contains("-") {
            console.out("run \(entry.id)  job \(entry.job ?? "-")  mode \(entry.mode)  outcome \(entry.outcome)")
            console.out("started \(entry.startedAt)  finished \(entry.finishedAt ?? "-")  manifest \(entry.manifest)")
        }
        // The same output rules as a run's (at most two reports, `-` for stdout).
        let output = OutputOptions(reports: options.reports, quiet: options.quiet)
        try output.checkPaths(manifest: nil)
        let outputs = try output.makeOutputs(format: .csv, columns: nil)
        do {
            try RunHistory.reexport(connection, id: id, outputs: outputs)
        } catch {
            outputs.discard()
            throw error
        }
        return .success
    }
}
