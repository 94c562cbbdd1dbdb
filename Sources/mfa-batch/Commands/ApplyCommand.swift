import Foundation
import MFABatchCore

struct ApplyCommand: Command {
    struct Options: ParsableArguments {
        var target: String?
        var dryRun = false
        var run = RunOptions()

        static var declarations: [OptionDeclaration<Self>] {
            [
                .positional("MANIFEST|PLAN", \.target,
                            help: "a manifest (.csv, .json, .jsonl; `-` is stdin, which needs --format), or a plan saved by `mfa-batch plan`"),
                .flag("dry-run", \.dryRun,
                      help: "every check and every change computed against the live data; writes nothing to tenant tables"),
            ] + RunOptions.declarations.lifted(into: \.run)
        }
    }

    static let configuration = CommandConfiguration(
        words: ["apply"],
        summary: "check, authorize and apply a manifest (or a saved plan), one transaction per tenant",
        discussion: """
            Checks every row (schema, credential, user, policy, conflicts), then applies the
            changes one PostgreSQL transaction per tenant, with an audit row per changed user.
            A manifest is desired state: running it again changes only what is not yet so.

            Given a PLAN saved by `mfa-batch plan`, applies exactly what was previewed: the
            manifest must be unchanged (else exit 2), and a tenant whose data changed since
            planning is refused as `stale`.

            Exit codes: 0 every row succeeded, 1 some row failed, 2 usage error or unusable
            manifest (nothing applied), 3 database unreachable, not migrated or lost mid-run,
            4 the --job is already running, 130/143 interrupted.
            """,
        examples: [
            "mfa-batch apply jobs/enforce-totp.csv --dry-run --report preview.html   # a page to review",
            "mfa-batch apply jobs/enforce-totp.csv --credentials creds.json --report run.json --rejects fix.csv",
            "mfa-batch apply jobs/enforce-totp.csv --job enforce-totp --quiet --metrics /var/lib/node_exporter/textfile/mfa-batch.prom",
            "mfa-batch apply plan.json   # a plan saved by `mfa-batch plan`",
        ],
        environment: [("MFA_BATCH_API_KEY", "the credential of rows that name none"),
                      ("DATABASE_URL", "the database when --database-url is not given")])

    let options: Options
    let target: String
    let invocation: RunInvocation

    init(options: Options, console: Console) throws {
        self.options = options
        target = options.target ?? ""
        invocation = RunInvocation(options: options.run, console: console)
    }

    func run() throws -> ExitCode {
        let run = options.run
        // Only a regular file can be a plan; peeking at a pipe would eat the manifest.
        guard ManifestInput.isRegularFile(target) && PlanFile.isPlan(path: target) else {
            let mode: RunMode = options.dryRun ? .dryRun : .apply
            return try invocation.reporting(mode: mode) {
                let result = try invocation.execute(manifest: target, format: run.format, mode: mode, partial: run.partial)
                return .init(result: result, exitCode: result.exitCode)
            }
        }
        if options.dryRun || run.partial || run.format != nil {
            throw CLIError.invocation("--dry-run, --partial and --format do not apply to a saved plan (it keeps those of the preview)")
        }
        return try invocation.reporting(mode: .apply) {
            let plan = try PlanFile.read(path: target)
            let result = try invocation.execute(manifest: plan.manifest, format: plan.format, mode: .apply,
                                                partial: plan.partial, expectedSHA256: plan.manifestSHA256,
                                                plannedFingerprints: plan.fingerprints, otherInputs: [target])
            return .init(result: result, exitCode: result.exitCode)
        }
    }
}
