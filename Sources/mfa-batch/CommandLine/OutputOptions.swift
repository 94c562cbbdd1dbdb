import MFABatchCore

/// `--report`, `--rejects`, `--quiet`, `--log-format`, `--progress`: the output
/// options of validate, apply and plan.
let outputOptions: [OptionSpec] = [
    .value("report", repeatable: true), .value("rejects"), .flag("quiet"), .value("log-format"), .value("progress"),
]

func parseFormat(_ arguments: ParsedArguments) throws -> ManifestFormat? {
    guard let text = arguments.value("format") else { return nil }
    guard let format = ManifestFormat(option: text) else {
        throw CLIError.usage("--format '\(text)' is not one of csv, json, jsonl")
    }
    return format
}

func makeOutputs(_ arguments: ParsedArguments, format: ManifestFormat, columns: [String]?) throws -> RunOutputs {
    if let logFormat = arguments.value("log-format"), !["text", "json"].contains(logFormat) {
        throw CLIError.usage("--log-format '\(logFormat)' is not one of text, json")
    }
    if let progress = arguments.value("progress"), !["auto", "always", "never"].contains(progress) {
        throw CLIError.usage("--progress '\(progress)' is not one of auto, always, never")
    }
    let reports = arguments.values("report")
    if reports.count > 2 { throw CLIError.usage("--report may be given at most twice") }
    do {
        return try RunOutputs(reportArguments: reports, rejectsPath: arguments.value("rejects"), format: format,
                              columns: columns, quiet: arguments.flag("quiet"))
    } catch let error as CLIError {
        throw error
    } catch {
        throw CLIError.usage("cannot create output: \(error)")
    }
}
