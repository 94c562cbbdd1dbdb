import Foundation
import MFABatchCore

struct ValidateCommand: Command {
    struct Options: ParsableArguments {
        var manifest: String?
        var format: ManifestFormat?
        var output = OutputOptions()

        static var declarations: [OptionDeclaration<Self>] {
            [
                .positional("MANIFEST", \.manifest, help: "the manifest (.csv, .json, .jsonl; `-` is stdin, which needs --format)"),
                .option("format", \.format,
                        help: "the manifest's format when its extension does not say, and for `-` (stdin); ndjson = jsonl"),
            ] + OutputOptions.declarations.lifted(into: \.output)
        }
    }

    static let configuration = CommandConfiguration(
        words: ["validate"],
        summary: "check a manifest offline (no database)",
        discussion: """
            Parses and schema-checks every row of MANIFEST without a database: statuses
            `valid` / `invalid`. Exit 0 when every row is valid, 1 when some row is not, 2
            when the manifest is unusable. --progress is accepted and shows nothing here.
            """,
        examples: [
            "mfa-batch validate jobs/enforce-totp.csv",
            "mfa-batch validate - --format jsonl --report - < rows.jsonl   # JSON report on stdout",
            "mfa-batch validate big.csv --rejects fix.csv --quiet",
        ])

    let options: Options
    let console: Console

    init(options: Options, console: Console) throws {
        self.options = options
        self.console = console
    }

    func run() throws -> ExitCode {
        let manifest = options.manifest ?? ""
        try options.output.checkPaths(manifest: manifest)
        let schema = SettingsSchema.bundled
        let input = try ManifestInput(path: manifest, format: options.format)
        let reader = try input.open(schema: schema)
        let outputs = try options.output.makeOutputs(format: reader.format, columns: reader.columns)
        let run = RunInfo(id: nil, job: nil, mode: .validate, manifest: manifest, manifestSHA256: input.sha256,
                          startedAt: Date(), finishedAt: nil, partial: false)
        do {
            _ = try OfflineValidation.run(input: input, reader: reader, schema: schema, outputs: outputs, run: run)
        } catch {
            outputs.discard()
            throw error
        }
        if let error = outputs.summaryWriteError {
            console.err("mfa-batch: warning: the summary could not be printed: \(error)", level: "warning")
        }
        return ExitCode.forFinishedRun(outputs.summary)
    }
}
