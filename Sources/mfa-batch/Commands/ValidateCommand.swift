import Foundation
import MFABatchCore

struct ValidateCommand: Command {
    static let words = ["validate"]
    static let summary = "check a manifest offline (no database)"
    static let help = """
        usage: mfa-batch validate MANIFEST [--format csv|json|jsonl] [--report PATH]... [--rejects PATH] [--quiet] [--log-format text|json]

        Parses and schema-checks every row of MANIFEST (`-` is stdin, which needs
        --format) without a database: statuses `valid` / `invalid`. Exit 0 when every
        row is valid, 1 when some row is not, 2 when the manifest is unusable.
          --report PATH   write the report (.csv: CSV, else JSON; `-`: JSON on stdout); twice allowed
          --rejects PATH  the invalid rows as a manifest in the input's format, comment = reason
          --quiet         no summary on stdout
          --log-format text|json   stderr as text, or one JSON object a line
        """
    static let options: [OptionSpec] = outputOptions + [.value("format")]

    let manifest: String
    let format: ManifestFormat?
    let arguments: ParsedArguments
    let console: Console

    init(_ arguments: ParsedArguments, console: Console) throws {
        manifest = try arguments.requirePositionals(["MANIFEST"])[0]
        format = try parseFormat(arguments)
        self.arguments = arguments
        self.console = console
    }

    func run() throws -> ExitCode {
        try checkOutputPaths(arguments, manifest: manifest)
        let schema = SettingsSchema.bundled
        let input = try ManifestInput(path: manifest, format: format)
        let reader = try input.open(schema: schema)
        let outputs = try makeOutputs(arguments, format: reader.format, columns: reader.columns)
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
