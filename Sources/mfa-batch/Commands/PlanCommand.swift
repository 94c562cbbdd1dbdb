import Foundation
import MFABatchCore

struct PlanCommand: Command {
    struct Options: ParsableArguments {
        var manifest: String?
        var out: String?
        var run = RunOptions()

        static var declarations: [OptionDeclaration<Self>] {
            [
                .positional("MANIFEST", \.manifest, help: "the manifest to preview (a file: `apply PLAN` reads it again)"),
                .option("out", \.out, placeholder: "PLAN", help: "where to save the plan (JSON, mode 0600)", required: true,
                        completion: .file),
            ] + RunOptions.declarations.lifted(into: \.run)
        }

        func validate() throws {
            if manifest == "-" { throw CLIError.invocation("a plan needs a manifest file (not stdin) that apply can read again") }
        }
    }

    static let configuration = CommandConfiguration(
        words: ["plan"],
        summary: "a dry run that also saves a plan for `apply PLAN`",
        discussion: """
            Does everything a dry run of `apply` does and saves PLAN: the manifest's absolute
            path and SHA-256, the options, and a fingerprint of each tenant's data.
            `mfa-batch apply PLAN` then applies exactly what was previewed, refusing tenants
            whose data changed since (`stale`). The manifest must stay in place, unchanged.
            The plan holds no credential: pass the same credentials to apply.
            """,
        examples: [
            "mfa-batch plan jobs/enforce-totp.csv --out plan.json --report preview.html",
            "mfa-batch apply plan.json --report applied.json",
        ],
        environment: [("MFA_BATCH_API_KEY", "the credential of rows that name none"),
                      ("DATABASE_URL", "the database when --database-url is not given")])

    let options: Options
    let invocation: RunInvocation
    let console: Console

    init(options: Options, console: Console) throws {
        self.options = options
        invocation = RunInvocation(options: options.run, console: console)
        self.console = console
    }

    func run() throws -> ExitCode {
        let manifest = options.manifest ?? ""
        let out = options.out ?? ""
        let run = options.run
        return try invocation.reporting(mode: .plan) {
            let result = try invocation.execute(manifest: manifest, format: run.format, mode: .plan, partial: run.partial,
                                                extraOutputs: [out])
            guard result.databaseLost == nil, result.interruptedBy == nil else {
                return .init(result: result, exitCode: result.exitCode)
            }
            let absolute = URL(fileURLWithPath: manifest).standardizedFileURL.path
            let plan = PlanFile(
                runID: result.run.id ?? UUID(), manifest: absolute, manifestSHA256: result.run.manifestSHA256 ?? "",
                format: run.format ?? ManifestFormat(path: manifest) ?? .csv, partial: run.partial,
                createdAt: result.run.startedAt,
                tenants: result.tenants.compactMap { tenant in
                    guard let id = tenant.accountID, let fingerprint = tenant.fingerprint else { return nil }
                    return PlanFile.Tenant(accountID: id, account: tenant.account, fingerprint: fingerprint)
                })
            try plan.write(to: out)
            if !run.output.quiet { console.info("plan saved to \(out): apply it with `mfa-batch apply \(out)`") }
            return .init(result: result, exitCode: result.exitCode)
        }
    }
}
