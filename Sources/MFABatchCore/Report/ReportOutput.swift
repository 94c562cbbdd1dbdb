/// Where a report, rejects file or plan goes.
///
/// A `.file` is written under a temporary name beside the destination and renamed
/// over it when complete, so the path never holds a half-written report — when the
/// path is a regular file or does not exist yet. A character device, a FIFO or a
/// socket (`/dev/null`, a named pipe) is opened and written in place, never
/// replaced; a directory is refused (`OutputTarget`). A `.descriptor` (standard
/// output) cannot be renamed and is written in place.
public enum ReportOutput: Sendable, Equatable {
    case file(String)
    /// An already open descriptor; not closed by the writer.
    case descriptor(Int32)

    /// Standard output, for `--report -`.
    public static let standardOutput = ReportOutput.descriptor(1)

    /// `-` means standard output; `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and
    /// `/proc/self/fd/N` mean that descriptor, written where it stands (opening the
    /// path again would start over at offset 0 of a redirected file); anything else
    /// is a file path.
    public init(argument: String) {
        self = Self.descriptor(named: argument).map(ReportOutput.descriptor) ?? .file(argument)
    }

    /// The descriptor a path names, if it names one of this process's own.
    static func descriptor(named argument: String) -> Int32? {
        switch argument {
        case "-", "/dev/stdout": return 1
        case "/dev/stderr": return 2
        default:
            for prefix in ["/dev/fd/", "/proc/self/fd/"] where argument.hasPrefix(prefix) {
                if let fd = Int32(argument.dropFirst(prefix.count)), fd >= 0 { return fd }
            }
            return nil
        }
    }

    /// Whether this is standard output (`-`, `/dev/stdout`, `/dev/fd/1`).
    public var isStandardOutput: Bool { self == .standardOutput }
}
