import Foundation
import MFABatchCore

/// What `apply`, `apply PLAN` and `plan` share: credentials, the database check,
/// the manifest, outputs, progress, signals, and `--metrics`.
struct RunInvocation {
    let options: RunOptions
    let console: Console
    /// Opened once the output paths are known not to overwrite an input or each
    /// other: only then may a failed run write `--metrics` (never over the manifest).
    private let metricsGate = MetricsGate()

    init(options: RunOptions, console: Console) {
        self.options = options
        self.console = console
    }

    private final class MetricsGate {
        var isOpen = false
    }

    /// A run that got to its end (all tenants, an interrupt or a lost database), and
    /// the exit code the command returns for it.
    struct Finished {
        var result: ApplyRun.Result
        var exitCode: ExitCode
    }

    /// Runs `body` and writes `--metrics` afterwards, whatever happened: from the
    /// run's result, or, when it failed, with the exit code its error maps to and no
    /// rows — once the output paths were checked (a failure before that, such as an
    /// unreadable plan file, writes none). A metrics destination that cannot be
    /// written is refused first (exit 2).
    func reporting(mode: RunMode, _ body: () throws -> Finished) throws -> ExitCode {
        guard let path = options.metrics else { return try body().exitCode }
        try RunMetrics.checkDestination(path)
        let started = Date()
        let finished: Finished
        do {
            finished = try body()
        } catch {
            let failure = CLIError(error)
            guard metricsGate.isOpen else { throw failure }
            writeMetrics(RunMetrics(job: options.job, mode: mode, startedAt: started, finishedAt: Date(),
                                    exitCode: failure.exitCode.rawValue, summary: nil, version: Version.current), to: path)
            throw failure
        }
        let run = finished.result.run
        writeMetrics(RunMetrics(job: options.job, mode: mode, startedAt: run.startedAt, finishedAt: run.finishedAt ?? Date(),
                                exitCode: finished.exitCode.rawValue, summary: finished.result.summary,
                                version: Version.current), to: path)
        return finished.exitCode
    }

    /// A metrics file that cannot be written does not change the run's exit code (the
    /// run is what happened); it is reported, and the stale file alerts.
    private func writeMetrics(_ metrics: RunMetrics, to path: String) {
        do {
            try metrics.write(to: path)
        } catch {
            console.err("mfa-batch: error: cannot write the metrics file: \(error)")
        }
    }

    /// Runs `manifest` in `mode`; `plannedFingerprints` when applying a saved plan.
    /// `otherInputs` and `extraOutputs` (a plan file read or written) take part in the
    /// check that no output overwrites an input or another output.
    func execute(manifest: String, format: ManifestFormat?, mode: RunMode, partial: Bool,
                 expectedSHA256: String? = nil, plannedFingerprints: [UUID: String]? = nil,
                 otherInputs: [String] = [], extraOutputs: [String] = []) throws -> ApplyRun.Result {
        try options.output.checkPaths(manifest: manifest, credentials: options.credentials, inputs: otherInputs,
                                      extraOutputs: extraOutputs + (options.metrics.map { [$0] } ?? []))
        metricsGate.isOpen = true
        if let path = options.credentials, let warning = CredentialsFile.permissionWarning(path: path) {
            console.err("mfa-batch: warning: " + warning, level: "warning")
        }
        let credentials = try options.credentials.map { try CredentialsFile.load(path: $0) }
        let settings = DatabaseAccess.settings(options.database, console)
        try DatabaseAccess.connectMigrated(settings).close()
        let schema = SettingsSchema.bundled
        let input = try ManifestInput(path: manifest, format: format)
        if let expectedSHA256, input.sha256 != expectedSHA256 {
            throw CLIError.usage("the manifest \(manifest) changed since the plan was made (SHA-256 \(input.sha256.prefix(12))…, planned \(expectedSHA256.prefix(12))…); plan again")
        }
        // Opened once up front: a bad CSV header rejects the manifest before anything runs.
        let reader = try input.open(schema: schema)
        // The summary is printed here, after the progress line is done with the terminal.
        let outputs = try options.output.makeOutputs(format: reader.format, columns: reader.columns, quiet: true)
        var runOptions = ApplyRun.Options(
            mode: mode, partial: partial, job: options.job,
            fallbacks: Authorizer.Fallbacks(file: credentials, environment: console.environment), parallel: options.parallel)
        runOptions.plannedFingerprints = plannedFingerprints
        let progress = ProgressDisplay.make(options.output, console: console)
        if let progress { runOptions.progress = { progress.handle($0) } }
        var console = self.console
        if progress?.style == .redraw { console.statusLine = progress }
        let signals = SignalMonitor(console: console)
        let ticker = progress.map(ProgressTicker.init)
        defer { withExtendedLifetime(ticker) {} }
        do {
            let result = try ApplyRun(settings: settings, schema: schema, options: runOptions)
                .run(input: input, outputs: outputs, interruption: signals.interruption)
            progress?.finish()
            if options.output.printsSummary {
                console.out(SummaryPrinter().render(run: result.run, summary: result.summary), terminator: "")
            }
            if let error = result.databaseLost {
                console.err("mfa-batch: error: lost the database mid-run: \(error.message); the report says which tenants committed")
            }
            return result
        } catch {
            progress?.abandon()
            outputs.discard()
            throw error
        }
    }
}
