import Foundation
import MFABatchCore

struct ApplyCommand: Command {
    static let words = ["apply"]
    static let summary = "check, authorize and apply a manifest, one transaction per tenant"
    static let help = """
        usage: mfa-batch apply MANIFEST [--dry-run] [--partial] [--credentials PATH] [--job NAME]
                               [--format csv|json|jsonl] [--report PATH]... [--rejects PATH] [--quiet]
                               [--database-url URL]

        Checks every row (schema, credential, user, policy, conflicts), then applies the
        changes one PostgreSQL transaction per tenant, with an audit row per changed
        user. MANIFEST `-` is stdin (needs --format).
          --dry-run           every check and every diff against live data; writes nothing to tenant tables
          --partial           apply a tenant's valid rows even when other rows of that tenant fail
          --credentials PATH  JSON {"ACCOUNT": {"api_key": "…"}} or {"ACCOUNT": {"bearer": "…"}}
          --job NAME          names the run (shown by `runs`)
          --report PATH       the report (.csv: CSV, else JSON; `-`: JSON on stdout); twice allowed
          --rejects PATH      rows that did not succeed, as a manifest to fix and re-run
          --quiet             no summary on stdout
        Environment: MFA_BATCH_API_KEY is the credential of rows that name none.
        """
    static let options: [OptionSpec] = databaseOptions + outputOptions + [
        .flag("dry-run"), .flag("partial"), .value("credentials"), .value("job"), .value("format"),
    ]

    let manifest: String
    let format: ManifestFormat?
    let arguments: ParsedArguments
    let console: Console

    init(_ arguments: ParsedArguments, console: Console) throws {
        manifest = try arguments.requirePositionals(["MANIFEST"])[0]
        format = try parseFormat(arguments)
        if let job = arguments.value("job"), job.isEmpty || job.count > 200 {
            throw CLIError.usage("--job needs a name of 1 to 200 characters")
        }
        self.arguments = arguments
        self.console = console
    }

    func run() throws -> ExitCode {
        let credentials: CredentialsFile?
        do {
            credentials = try arguments.value("credentials").map { try CredentialsFile.load(path: $0) }
        } catch {
            throw CLIError.usage("\(error)")
        }
        let settings = DatabaseAccess.settings(arguments, console)
        try DatabaseAccess.connectMigrated(settings).close()
        let schema = SettingsSchema.bundled
        let input = try ManifestInput(path: manifest, format: format)
        // Open once up front: a bad CSV header rejects the manifest before anything runs.
        let reader = try input.open(schema: schema)
        let outputs = try makeOutputs(arguments, format: reader.format, columns: reader.columns)
        let options = ApplyRun.Options(
            mode: arguments.flag("dry-run") ? .dryRun : .apply, partial: arguments.flag("partial"),
            job: arguments.value("job"),
            fallbacks: Authorizer.Fallbacks(file: credentials, environment: console.environment))
        let signals = SignalMonitor()
        do {
            let result = try ApplyRun(settings: settings, schema: schema, options: options)
                .run(input: input, outputs: outputs, interruption: signals.interruption)
            if let error = result.databaseLost {
                console.err("mfa-batch: error: lost the database mid-run: \(error.message); the report says which tenants committed")
            }
            return result.exitCode
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
