import Foundation
import MFABatchCore

struct ApplyCommand: Command {
    static let words = ["apply"]
    static let summary = "check, authorize and apply a manifest (or a saved plan), one transaction per tenant"
    static let help = """
        usage: mfa-batch apply MANIFEST|PLAN [--dry-run] [--partial] [--credentials PATH] [--job NAME]
                               [--parallel N] [--format csv|json|jsonl] [--report PATH]... [--rejects PATH]
                               [--quiet] [--database-url URL]

        Checks every row (schema, credential, user, policy, conflicts), then applies the
        changes one PostgreSQL transaction per tenant, with an audit row per changed
        user. MANIFEST `-` is stdin (needs --format).
        Given a PLAN saved by `mfa-batch plan`, applies exactly what was previewed: the
        manifest must be unchanged (else exit 2), and a tenant whose data changed since
        planning is refused as `stale`.
          --dry-run           every check and every diff against live data; writes nothing to tenant tables
          --partial           apply a tenant's valid rows even when other rows of that tenant fail
          --credentials PATH  JSON {"ACCOUNT": {"api_key": "…"}} or {"ACCOUNT": {"bearer": "…"}}
          --job NAME          names the run (shown by `runs`); a second run of NAME while one runs exits 4
          --parallel N        apply up to N tenants at once, each on its own connection (1-64, default 1)
          --report PATH       the report (.csv: CSV, else JSON; `-`: JSON on stdout); twice allowed
          --rejects PATH      rows that did not succeed, as a manifest to fix and re-run
          --quiet             no summary on stdout
          --progress auto|always|never   a stderr line per tenant decided (auto: only on a terminal)
          --log-format text|json         stderr as text, or one JSON object a line
        Environment: MFA_BATCH_API_KEY is the credential of rows that name none.
        """
    static let options: [OptionSpec] = RunInvocation.options + [.flag("dry-run")]

    let target: String
    let format: ManifestFormat?
    let invocation: RunInvocation
    let arguments: ParsedArguments

    init(_ arguments: ParsedArguments, console: Console) throws {
        target = try arguments.requirePositionals(["MANIFEST"])[0]
        format = try parseFormat(arguments)
        invocation = try RunInvocation(arguments, console: console)
        self.arguments = arguments
    }

    func run() throws -> ExitCode {
        // Only a regular file can be a plan; peeking at a pipe would eat the manifest.
        guard ManifestInput.isRegularFile(target) && PlanFile.isPlan(path: target) else {
            return try invocation.execute(manifest: target, format: format, mode: arguments.flag("dry-run") ? .dryRun : .apply,
                                          partial: arguments.flag("partial")).exitCode
        }
        if arguments.flag("dry-run") || arguments.flag("partial") || format != nil {
            throw CLIError.usage("--dry-run, --partial and --format do not apply to a saved plan (it keeps those of the preview)")
        }
        let plan: PlanFile
        do {
            plan = try PlanFile.read(path: target)
        } catch {
            throw CLIError.usage("\(error)")
        }
        return try invocation.execute(manifest: plan.manifest, format: plan.format, mode: .apply, partial: plan.partial,
                                      expectedSHA256: plan.manifestSHA256,
                                      plannedFingerprints: plan.fingerprints, otherInputs: [target]).exitCode
    }
}
