/// One `--report` value: `-` is JSON on standard output, a path ending in `.csv`
/// (any case) the CSV form, any other path JSON.
public enum ReportDestination: Sendable, Equatable, CustomStringConvertible {
    case json(ReportOutput)
    case csv(ReportOutput)

    public init(argument: String) {
        if ReportOutput.descriptor(named: argument) == nil, argument.lowercased().hasSuffix(".csv") {
            self = .csv(.file(argument))
        } else {
            self = .json(ReportOutput(argument: argument))
        }
    }

    public var output: ReportOutput {
        switch self {
        case .json(let output), .csv(let output): return output
        }
    }

    public var description: String {
        switch output {
        case .file(let path): return path
        case .descriptor(1): return "-"
        case .descriptor(let fd): return "descriptor \(fd)"
        }
    }

    /// The writer for this destination (creates its file or spool now).
    public func makeWriter() throws -> any ReportWriter {
        switch self {
        case .json(let output): return try JSONReportWriter(output: output)
        case .csv(let output): return try CSVReportWriter(output: output)
        }
    }
}
