import Foundation
import MFABatchCore

/// `--report`, `--rejects`, `--quiet`, `--log-format`, `--progress`: the output
/// options of validate, apply and plan.
let outputOptions: [OptionSpec] = [
    .value("report", repeatable: true), .value("rejects"), .flag("quiet"), .value("log-format"), .value("progress"),
]

func parseFormat(_ arguments: ParsedArguments) throws -> ManifestFormat? {
    guard let text = arguments.value("format") else { return nil }
    guard let format = ManifestFormat(option: text) else {
        throw CLIError.usage("--format '\(text)' is not one of csv, json, jsonl (or ndjson)")
    }
    return format
}

/// Refuses, before anything runs, outputs that are a directory, more than one on
/// stdout, or that would overwrite each other, the manifest or the `--credentials`
/// file (compared by device and inode: `OutputPaths`).
func checkOutputPaths(_ arguments: ParsedArguments, manifest: String?, inputs: [String] = [],
                      extraOutputs: [String] = []) throws {
    let outputs = arguments.values("report") + (arguments.value("rejects").map { [$0] } ?? []) + extraOutputs
    var known = manifest.map { [OutputPaths.Input(path: $0, role: "the manifest")] } ?? []
    if let credentials = arguments.value("credentials") {
        known.append(OutputPaths.Input(path: credentials, role: "the --credentials file"))
    }
    known += inputs.map { OutputPaths.Input(path: $0, role: "an input") }
    do {
        try OutputPaths.check(outputs: outputs, inputs: known)
    } catch {
        throw CLIError.usage(error.message)
    }
}

/// `--progress`: `always`, `never`, or `auto` (the default): only when stderr is a
/// terminal, so cron mail and logs stay quiet.
func showsProgress(_ arguments: ParsedArguments) throws -> Bool {
    switch arguments.value("progress") ?? "auto" {
    case "always": return true
    case "never": return false
    case "auto": return isatty(2) == 1
    case let other: throw CLIError.usage("--progress '\(other)' is not one of auto, always, never")
    }
}

func makeOutputs(_ arguments: ParsedArguments, format: ManifestFormat, columns: [String]?) throws -> RunOutputs {
    if let logFormat = arguments.value("log-format"), !["text", "json"].contains(logFormat) {
        throw CLIError.usage("--log-format '\(logFormat)' is not one of text, json")
    }
    _ = try showsProgress(arguments) // refuses a bad --progress, also where it shows nothing
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
