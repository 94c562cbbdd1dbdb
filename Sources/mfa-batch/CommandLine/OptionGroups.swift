import Foundation
import MFABatchCore

/// `--database-url`: every command that connects.
struct DatabaseOptions: ParsableArguments {
    var databaseURL: String?

    static var declarations: [OptionDeclaration<Self>] {
        [.option("database-url", \.databaseURL, placeholder: "URL",
                 help: "the database (a libpq URL or conninfo); else DATABASE_URL, else libpq's defaults (PGHOST, PGUSER, ~/.pgpass, …)")]
    }
}

/// `--report`, `--rejects`, `--quiet`, `--log-format`, `--progress`: the outputs of
/// validate, apply and plan.
struct OutputOptions: ParsableArguments {
    var reports: [String] = []
    var rejects: String?
    var quiet = false
    var logFormat = Console.LogFormat.text
    var progress = ProgressMode.auto

    static var declarations: [OptionDeclaration<Self>] {
        [
            .repeatable("report", \.reports, placeholder: "PATH",
                        help: "write the report: .csv the CSV form, .html a self-contained page for review, anything else JSON; `-` is JSON on stdout; files are created mode 0600",
                        max: 2, completion: .file),
            .option("rejects", \.rejects, placeholder: "PATH",
                    help: "the rows that did not succeed, as a manifest in the input's format (credentials removed, comment = the reason): fix it and run it again",
                    completion: .file),
            .flag("quiet", \.quiet, help: "no summary on stdout"),
            .option("log-format", \.logFormat, help: "stderr as text lines, or one JSON object a line (time, level, message)",
                    defaultText: "text"),
            .option("progress", \.progress,
                    help: "progress on stderr: on a terminal one line redrawn in place; elsewhere (with always) a plain line at most every 5 s",
                    defaultText: "auto, only when stderr is a terminal"),
        ]
    }
}

extension OutputOptions {
    /// Refuses, before anything runs, outputs that are a directory, more than one on
    /// stdout, or that would overwrite each other, the manifest or the `--credentials`
    /// file (compared by device and inode: `OutputPaths`).
    func checkPaths(manifest: String?, credentials: String? = nil, inputs: [String] = [],
                    extraOutputs: [String] = []) throws {
        let outputs = reports + (rejects.map { [$0] } ?? []) + extraOutputs
        var known = manifest.map { [OutputPaths.Input(path: $0, role: "the manifest")] } ?? []
        if let credentials { known.append(OutputPaths.Input(path: credentials, role: "the --credentials file")) }
        known += inputs.map { OutputPaths.Input(path: $0, role: "an input") }
        do {
            try OutputPaths.check(outputs: outputs, inputs: known)
        } catch {
            throw CLIError.invocation(error.message)
        }
    }

    /// Whether progress is shown: `auto` only when stderr is a terminal, so cron mail
    /// and logs stay quiet.
    var showsProgress: Bool {
        switch progress {
        case .always: return true
        case .never: return false
        case .auto: return isatty(2) == 1
        }
    }

    /// The report and rejects writers (created now, so an unwritable destination
    /// fails before anything runs).
    func makeOutputs(format: ManifestFormat, columns: [String]?, quiet: Bool? = nil) throws -> RunOutputs {
        try RunOutputs(reportArguments: reports, rejectsPath: rejects, format: format, columns: columns,
                       quiet: quiet ?? self.quiet)
    }

    /// The human summary goes to stdout unless `--quiet`, or stdout carries a report
    /// or the rejects.
    var printsSummary: Bool { !quiet && !reports.contains("-") && rejects != "-" }
}

/// What `apply`, `apply PLAN` and `plan` share.
struct RunOptions: ParsableArguments {
    var partial = false
    var credentials: String?
    var job: String?
    var format: ManifestFormat?
    var parallel = ApplyRun.defaultParallel
    var metrics: String?
    var output = OutputOptions()
    var database = DatabaseOptions()

    static var declarations: [OptionDeclaration<Self>] {
        [
            .flag("partial", \.partial, help: "apply a tenant's valid rows even when other rows of that tenant fail (default: such a tenant commits nothing)"),
            .option("credentials", \.credentials, placeholder: "PATH",
                    help: #"JSON {"ACCOUNT": {"api_key": "…"}} or {"ACCOUNT": {"bearer": "…"}}, ACCOUNT a slug or id"#,
                    completion: .file),
            .option("job", \.job, placeholder: "NAME",
                    help: "names the run (shown by `runs`, labels --metrics); a second run of NAME while one runs exits 4 at once",
                    valid: { !$0.isEmpty && $0.count <= 200 }, expected: "a name of 1 to 200 characters"),
            .option("parallel", \.parallel, placeholder: "N",
                    help: "apply up to N tenants at once (1-64), each on its own connection and still one transaction",
                    defaultText: "the number of cores, at most 8; 1 is serial",
                    valid: { (1...64).contains($0) }, expected: "a number from 1 to 64"),
            .option("format", \.format,
                    help: "the manifest's format when its extension does not say, and for `-` (stdin); ndjson = jsonl"),
            .option("metrics", \.metrics, placeholder: "PATH",
                    help: "after the run (also a failed one), write a Prometheus text file for node_exporter's textfile collector, atomically, mode 0644",
                    completion: .file),
        ] + OutputOptions.declarations.lifted(into: \.output) + DatabaseOptions.declarations.lifted(into: \.database)
    }
}
