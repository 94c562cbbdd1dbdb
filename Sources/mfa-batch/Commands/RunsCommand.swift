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

struct RunsRevertCommand: Command {
    struct Options: ParsableArguments {
        var runID: String?
        var out: String?
        var skipped: String?
        var database = DatabaseOptions()

        static var declarations: [OptionDeclaration<Self>] {
            [
                .positional("RUN_ID", \.runID, help: "the applied run to undo, as `mfa-batch runs` shows it",
                            completion: .none),
                .option("out", \.out, placeholder: "PATH",
                        help: "the manifest to write: .jsonl, .json or .csv; `-` is JSON Lines on stdout; created mode 0600 and renamed into place when complete",
                        required: true, completion: .file),
                .option("skipped", \.skipped, placeholder: "PATH",
                        help: "the settings left out because they changed since the run (or their user was deleted): .csv or .jsonl (`-`: stdout)",
                        completion: .file),
            ] + DatabaseOptions.declarations.lifted(into: \.database)
        }
    }

    static let configuration = CommandConfiguration(
        words: ["runs", "revert"],
        summary: "write the manifest that undoes an applied run",
        discussion: """
            Writes a manifest that, applied, puts back the `before` value of every setting the run changed: one row per user, by id, with the account's slug and a comment naming the run and the manifest rows. No credential is written: pass them when applying it, as for any manifest. Preview it with a dry run or a plan, then apply it.

            Settings changed since the run (or whose user was deleted) are left out and listed on stderr (the first 100) and in --skipped. A dry run or a plan cannot be reverted (exit 2); a run that changed nothing gives an empty manifest.
            """,
        examples: [
            "mfa-batch runs revert 4f0c2a9e-8d5b-4c1e-9a7f-2b3c4d5e6f70 --out undo.jsonl --skipped skipped.csv",
            "mfa-batch runs revert 4f0c2a9e-8d5b-4c1e-9a7f-2b3c4d5e6f70 --out - > undo.jsonl   # to stdout",
        ],
        environment: [("DATABASE_URL", "the database when --database-url is not given")])
    static let listedSkips = 100

    let options: Options
    let console: Console
    let id: UUID
    let out: String
    let format: ManifestFormat
    let skipped: (path: String, csv: Bool)?

    init(options: Options, console: Console) throws {
        id = try parseID(options.runID, name: "RUN_ID")
        guard let out = options.out else { throw CLIError.usage("missing --out PATH") }
        guard let format = out == "-" ? .jsonl : ManifestFormat(path: out) else {
            throw CLIError.usage("--out '\(out)' needs the extension .jsonl, .json or .csv (or `-` for stdout)")
        }
        if let path = options.skipped {
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
        self.options = options
        self.console = console
        self.out = out
        self.format = format
    }

    func run() throws -> ExitCode {
        let connection = try DatabaseAccess.connectMigrated(DatabaseAccess.settings(options.database, console))
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
