import Foundation
import MFABatchCore

struct PlanCommand: Command {
    static let words = ["plan"]
    static let summary = "a dry run that also saves a plan for `apply PLAN`"
    static let help = """
        usage: mfa-batch plan MANIFEST --out PLAN [--partial] [--credentials PATH] [--job NAME] [--parallel N]
                              [--format csv|json|jsonl] [--report PATH]... [--rejects PATH] [--quiet]
                              [--progress auto|always|never] [--log-format text|json] [--database-url URL]

        Does everything `apply --dry-run` does and saves PLAN (JSON, mode 0600): the
        manifest's absolute path and SHA-256, the options, and a fingerprint of each
        tenant's data. `mfa-batch apply PLAN` then applies exactly what was previewed,
        refusing tenants whose data changed since (`stale`). The manifest must stay in
        place, unchanged. The plan holds no credential: pass the same credentials to apply.
        The other options are those of `apply` (see `mfa-batch apply --help`).
        """
    static let options: [OptionSpec] = RunInvocation.options + [.value("out")]

    let manifest: String
    let format: ManifestFormat?
    let out: String
    let invocation: RunInvocation
    let arguments: ParsedArguments
    let console: Console

    init(_ arguments: ParsedArguments, console: Console) throws {
        manifest = try arguments.requirePositionals(["MANIFEST"])[0]
        guard manifest != "-" else { throw CLIError.usage("a plan needs a manifest file (not stdin) that apply can read again") }
        guard let out = arguments.value("out") else { throw CLIError.usage("--out PLAN is required") }
        self.out = out
        format = try parseFormat(arguments)
        invocation = try RunInvocation(arguments, console: console)
        self.arguments = arguments
        self.console = console
    }

    func run() throws -> ExitCode {
        let result = try invocation.execute(manifest: manifest, format: format, mode: .plan, partial: arguments.flag("partial"),
                                            extraOutputs: [out])
        guard result.databaseLost == nil, result.interruptedBy == nil else { return result.exitCode }
        let absolute = URL(fileURLWithPath: manifest).standardizedFileURL.path
        let plan = PlanFile(
            runID: result.run.id ?? UUID(), manifest: absolute, manifestSHA256: result.run.manifestSHA256 ?? "",
            format: format ?? ManifestFormat(path: manifest) ?? .csv, partial: arguments.flag("partial"),
            createdAt: result.run.startedAt,
            tenants: result.tenants.compactMap { tenant in
                guard let id = tenant.accountID, let fingerprint = tenant.fingerprint else { return nil }
                return PlanFile.Tenant(accountID: id, account: tenant.account, fingerprint: fingerprint)
            })
        do {
            try plan.write(to: out)
        } catch {
            throw CLIError.usage("\(error)")
        }
        if !arguments.flag("quiet") { console.info("plan saved to \(out): apply it with `mfa-batch apply \(out)`") }
        return result.exitCode
    }
}
