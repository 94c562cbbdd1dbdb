import Foundation
import MFABatchCore

struct RunsCommand: Command {
    static let words = ["runs"]
    static let summary = "list recent runs, newest first"
    static let help = """
        usage: mfa-batch runs [--limit N] [--json] [--database-url URL]

        Recent runs of apply / plan / dry run, newest first: id, job, mode, start,
        end, outcome (running, succeeded, rows_failed, interrupted, database_error,
        refused, report_failed, died) and counts. A run whose process is gone shows
        as `died`.
          --limit N   how many (default 20)
          --json      one JSON object per run, one per line
        """
    static let options: [OptionSpec] = databaseOptions + [.value("limit"), .flag("json")]

    let arguments: ParsedArguments
    let console: Console
    let limit: Int

    init(_ arguments: ParsedArguments, console: Console) throws {
        _ = try arguments.requirePositionals([])
        if let text = arguments.value("limit") {
            guard let limit = Int(text), limit > 0 else { throw CLIError.usage("--limit '\(text)' is not a positive number") }
            self.limit = limit
        } else {
            limit = 20
        }
        self.arguments = arguments
        self.console = console
    }

    func run() throws -> ExitCode {
        let connection = try DatabaseAccess.connectMigrated(DatabaseAccess.settings(arguments, console))
        defer { connection.close() }
        let entries = try RunHistory.list(connection, limit: limit)
        if arguments.flag("json") {
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
    static let words = ["runs", "show"]
    static let summary = "one run's summary; --report re-exports its full report"
    static let help = """
        usage: mfa-batch runs show RUN_ID [--report PATH]... [--quiet] [--database-url URL]

        Prints the run's summary; with --report writes its full report again (the same
        report the run wrote: .csv gives CSV, anything else JSON, `-` JSON on stdout).
        """
    static let options: [OptionSpec] = databaseOptions + [.value("report", repeatable: true), .flag("quiet")]

    let arguments: ParsedArguments
    let console: Console
    let id: UUID

    init(_ arguments: ParsedArguments, console: Console) throws {
        id = try arguments.requireUUID("RUN_ID")
        self.arguments = arguments
        self.console = console
    }

    func run() throws -> ExitCode {
        let connection = try DatabaseAccess.connectMigrated(DatabaseAccess.settings(arguments, console))
        defer { connection.close() }
        guard let entry = try RunHistory.find(connection, id: id) else {
            throw CLIError.usage("no run \(id.uuidString.lowercased())")
        }
        if !arguments.flag("quiet") && !arguments.values("report").contains("-") {
            console.out("run \(entry.id)  job \(entry.job ?? "-")  mode \(entry.mode)  outcome \(entry.outcome)")
            console.out("started \(entry.startedAt)  finished \(entry.finishedAt ?? "-")  manifest \(entry.manifest)")
        }
        // The same output rules as a run's (at most two reports, `-` for stdout).
        let outputs = try makeOutputs(arguments, format: .csv, columns: nil)
        do {
            try RunHistory.reexport(connection, id: id, outputs: outputs)
        } catch {
            outputs.discard()
            throw error
        }
        return .success
    }
}
