/// Where a report or rejects file goes.
///
/// A `.file` is written under a temporary name beside the destination and renamed
/// over it when complete, so the path never holds a half-written report; a
/// `.descriptor` (normally standard output) cannot be renamed and is written in place.
public enum ReportOutput: Sendable, Equatable {
    case file(String)
    /// An already open descriptor; not closed by the writer.
    case descriptor(Int32)

    /// Standard output, for `--report -`.
    public static let standardOutput = ReportOutput.descriptor(1)

    /// `-` means standard output, anything else a file path.
    public init(argument: String) {
        self = argument == "-" ? .standardOutput : .file(argument)
    }
}
