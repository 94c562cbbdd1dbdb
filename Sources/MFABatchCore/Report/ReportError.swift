#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a report, rejects file or summary could not be written. Keeps the path, the
/// system call and `errno`, so an operator can tell a full disk from a missing
/// directory; it never holds row data.
public enum ReportError: Error, Equatable, CustomStringConvertible {
    /// A system call failed on `path`.
    case io(operation: String, path: String, errno: Int32)
    /// The same destination was given twice (two writers would race for one file).
    case duplicateDestination(String)
    /// A writer was used out of order (e.g. `write` after `finish`): a programming error.
    case misuse(String)

    public var description: String {
        switch self {
        case .io(let operation, let path, let code):
            return "cannot \(operation) \(path): \(String(cString: strerror(code))) (errno \(code))"
        case .duplicateDestination(let path):
            return "report destination given twice: \(path)"
        case .misuse(let message):
            return "report writer misuse: \(message)"
        }
    }
}
