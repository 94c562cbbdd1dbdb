/// One `--report` value: `-` is JSON on standard output, a path ending in `.csv`
/// (any case) the CSV form, `.html` / `.htm` a page for review, any other path JSON.
public enum ReportDestination: Sendable, Equatable, CustomStringConvertible {
    case json(ReportOutput)
    case csv(ReportOutput)
    case html(ReportOutput)

    public init(argument: String) {
        let lowered = argument.lowercased()
        let isFile = ReportOutput.descriptor(named: argument) == nil
        if isFile, lowered.hasSuffix(".csv") {
            self = .csv(.file(argument))
        } else if isFile, lowered.hasSuffix(".html") || lowered.hasSuffix(".htm") {
            self = .html(.file(argument))
        } else {
            self = .json(ReportOutput(argument: argument))
        }
    }

    public var output: ReportOutput {
        switch self {
        case .json(let output), .csv(let output), .html(let output): return output
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
        case .html(let output): return try HTMLReportWriter(output: output)
        }
    }
}
