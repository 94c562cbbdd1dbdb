import Foundation
import MFABatchCore

/// What `apply`, `apply PLAN` and `plan` share: the options they take, credentials,
/// the database check, the manifest, outputs, signals, and the mapping of the
/// run's failures to exit codes.
struct RunInvocation {
    static let options: [OptionSpec] = databaseOptions + outputOptions + [
        .flag("partial"), .value("credentials"), .value("job"), .value("format"), .value("parallel"),
    ]

    let arguments: ParsedArguments
    let console: Console
    let parallel: Int

    init(_ arguments: ParsedArguments, console: Console) throws {
        if let text = arguments.value("parallel") {
            guard let value = Int(text), (1...64).contains(value) else {
                throw CLIError.usage("--parallel '\(text)' is not a number from 1 to 64")
            }
            parallel = value
        } else {
            parallel = ApplyRun.defaultParallel
        }
        if let job = arguments.value("job"), job.isEmpty || job.count > 200 {
            throw CLIError.usage("--job needs a name of 1 to 200 characters")
        }
        self.arguments = arguments
        self.console = console
    }

    /// Runs `manifest` in `mode`; `plannedFingerprints` when applying a saved plan.
    /// `otherInputs` and `extraOutputs` (a plan file read or written) take part in the
    /// check that no output overwrites an input or another output.
    func execute(manifest: String, format: ManifestFormat?, mode: RunMode, partial: Bool,
                 expectedSHA256: String? = nil, plannedFingerprints: [UUID: String]? = nil,
                 otherInputs: [String] = [], extraOutputs: [String] = []) throws -> ApplyRun.Result {
        let credentials: CredentialsFile?
        if let path = arguments.value("credentials"), let warning = CredentialsFile.permissionWarning(path: path) {
            console.err("mfa-batch: warning: " + warning, level: "warning")
        }
        do {
            credentials = try arguments.value("credentials").map { try CredentialsFile.load(path: $0) }
        } catch {
            throw CLIError.usage("\(error)")
        }
        try checkOutputPaths(arguments, manifest: manifest, inputs: otherInputs, extraOutputs: extraOutputs)
        let settings = DatabaseAccess.settings(arguments, console)
        try DatabaseAccess.connectMigrated(settings).close()
        let schema = SettingsSchema.bundled
        let input = try ManifestInput(path: manifest, format: format)
        if let expectedSHA256, input.sha256 != expectedSHA256 {
            throw CLIError.usage("the manifest \(manifest) changed since the plan was made (SHA-256 \(input.sha256.prefix(12))…, planned \(expectedSHA256.prefix(12))…); plan again")
        }
        // Opened once up front: a bad CSV header rejects the manifest before anything runs.
        let reader = try input.open(schema: schema)
        let outputs = try makeOutputs(arguments, format: reader.format, columns: reader.columns)
        var options = ApplyRun.Options(
            mode: mode, partial: partial, job: arguments.value("job"),
            fallbacks: Authorizer.Fallbacks(file: credentials, environment: console.environment), parallel: parallel)
        options.plannedFingerprints = plannedFingerprints
        if try showsProgress(arguments) {
            let console = self.console
            options.progress = { console.info("mfa-batch: " + $0) }
        }
        let signals = SignalMonitor(console: console)
        do {
            let result = try ApplyRun(settings: settings, schema: schema, options: options)
                .run(input: input, outputs: outputs, interruption: signals.interruption)
            if let error = outputs.summaryWriteError {
                console.err("mfa-batch: warning: the summary could not be printed: \(error)", level: "warning")
            }
            if let error = result.databaseLost {
                console.err("mfa-batch: error: lost the database mid-run: \(error.message); the report says which tenants committed")
            }
            return result
        } catch let RunLock.Failure.jobRunning(job, holder) {
            outputs.discard()
            var message = "job '\(job)' is already running"
            if let holder {
                message += " (run \(holder.id), started \(holder.startedAt)"
                    + (holder.host.map { " on \($0)" } ?? "") + (holder.pid.map { ", pid \($0)" } ?? "") + ")"
            }
            throw CLIError(exitCode: .jobRunning, message: message)
        } catch {
            outputs.discard()
            throw error
        }
    }
}
