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

struct RunsRevertCommand: Command {
    static let words = ["runs", "revert"]
    static let summary = "write the manifest that undoes an applied run"
    static let help = """
        usage: mfa-batch runs revert RUN_ID --out PATH [--skipped PATH] [--database-url URL]

        Writes a manifest that, applied, puts back the `before` value of every setting
        the run changed: one row per user, by id, with the account's slug and a comment
        naming the run and the manifest rows. No credential is written: pass them when
        applying it, as for any manifest. Preview it with `apply PATH --dry-run` or
        `plan`, then `apply PATH`.
          --out PATH       .jsonl, .json or .csv; `-` is JSON Lines on stdout. Created
                           mode 0600 and renamed into place when complete
          --skipped PATH   the settings left out because they changed since the run
                           (or their user was deleted): .csv or .jsonl (`-`: stdout)
        Skipped settings are also listed on stderr (the first 100). A dry run or a plan
        cannot be reverted (exit 2); a run that changed nothing gives an empty manifest.
        """
    static let options: [OptionSpec] = databaseOptions + [.value("out"), .value("skipped"), .value("log-format")]
    static let listedSkips = 100

    let arguments: ParsedArguments
    let console: Console
    let id: UUID
    let out: String
    let format: ManifestFormat
    let skipped: (path: String, csv: Bool)?

    init(_ arguments: ParsedArguments, console: Console) throws {
        id = try arguments.requireUUID("RUN_ID")
        guard let out = arguments.value("out") else { throw CLIError.usage("missing --out PATH") }
        guard let format = out == "-" ? .jsonl : ManifestFormat(path: out) else {
            throw CLIError.usage("--out '\(out)' needs the extension .jsonl, .json or .csv (or `-` for stdout)")
        }
        if let path = arguments.value("skipped") {
            let csv = path.lowercased().hasSuffix(".csv")
            guard csv || path == "-" || ManifestFormat(path: path) == .jsonl else {
                throw CLIError.usage("--skipped '\(path)' needs the extension .csv or .jsonl (or `-` for stdout)")
            }
            skipped = (path, csv)
        } else {
            skipped = nil
        }
        if let other = skipped?.path {
            if other == "-" && out == "-" { throw CLIError.usage("--out and --skipped cannot both be `-` (stdout)") }
            let canonical = { (path: String) in URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
            if other != "-" && out != "-" && canonical(other) == canonical(out) {
                throw CLIError.usage("--out and --skipped name the same file '\(out)': each output needs its own file")
            }
        }
        self.arguments = arguments
        self.console = console
        self.out = out
        self.format = format
    }

    func run() throws -> ExitCode {
        let connection = try DatabaseAccess.connectMigrated(DatabaseAccess.settings(arguments, console))
        defer { connection.close() }
        let settings = SettingsSchema.bundled.settings
        let manifest: RevertManifestWriter, skippedWriter: SkippedSettingsWriter?
        do {
            manifest = try RevertManifestWriter(output: ReportOutput(argument: out), format: format, settings: settings)
            skippedWriter = try skipped.map { try SkippedSettingsWriter(output: ReportOutput(argument: $0.path), csv: $0.csv) }
        } catch {
            throw CLIError.usage("cannot create output: \(error)")
        }
        let summary: RunRevert.Summary
        var listed = 0
        do {
            summary = try RunRevert.write(connection, runID: id, settings: settings, manifest: manifest,
                                          skipped: skippedWriter) { skip in
                guard listed < Self.listedSkips else { return }
                listed += 1
                console.err("mfa-batch: skipped: \(skip.description)", level: "warning")
            }
            try manifest.finish()
            try skippedWriter?.finish()
        } catch let failure as RunRevert.Failure {
            manifest.discard()
            skippedWriter?.discard()
            throw CLIError.usage(failure.description)
        } catch {
            manifest.discard()
            skippedWriter?.discard()
            throw error
        }
        let run = "run \(id.uuidString.lowercased())"
        let destination = out == "-" ? "stdout" : out
        if summary.changedByRun == 0 {
            console.info("mfa-batch: \(run) changed nothing: wrote an empty manifest to \(destination)")
            return .success
        }
        var line = "mfa-batch: \(run): reverting \(Self.counted(summary.settings, "setting")) of "
            + "\(Self.counted(summary.users, "user")) into \(destination)"
        if summary.skipped > 0 {
            let deleted = summary.skippedDeleted
            line += "; \(Self.grouped(summary.skipped)) skipped: "
                + (deleted == 0 ? "changed since"
                    : deleted == summary.skipped ? "user deleted"
                    : "\(Self.grouped(summary.skipped - deleted)) changed since, \(Self.grouped(deleted)) of deleted users")
            if summary.skipped > Self.listedSkips {
                line += skipped == nil ? " (the first \(Self.listedSkips) listed; --skipped PATH lists all)"
                    : " (the first \(Self.listedSkips) listed; all in \(skipped?.path == "-" ? "stdout" : skipped?.path ?? ""))"
            }
        }
        console.info(line)
        return .success
    }

    /// `1 user`, `39,790 users`.
    static func counted(_ number: Int, _ noun: String) -> String {
        "\(grouped(number)) \(noun)\(number == 1 ? "" : "s")"
    }

    /// `39812` → `39,812`.
    static func grouped(_ number: Int) -> String {
        var digits = Array(String(number.magnitude))
        var index = digits.count - 3
        while index > 0 {
            digits.insert(",", at: index)
            index -= 3
        }
        return (number < 0 ? "-" : "") + String(digits)
    }
}
