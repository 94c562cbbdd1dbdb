#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way the tool writes to standard output and standard error (the summary,
/// keys, messages): `write(2)` through `POSIXFile.writeAll`, so a closed pipe
/// (`--report - | head`), a full device (`> /dev/full`) or a closed descriptor is
/// an error value, never a trap (`FileHandle.write(_:)` traps on them) nor a
/// SIGPIPE that kills the run after tenants committed.
public enum StandardStreams {
    /// Called once, first thing:
    /// - ignores SIGPIPE for the whole process: a write to a pipe without a reader
    ///   then fails with `EPIPE`, which the writers report;
    /// - fills a closed standard descriptor (`>&-`) with `/dev/null` opened
    ///   read-only, so that writes to it still fail (`EBADF`) and, above all, the
    ///   next file the tool opens (the manifest's private copy, a report) does not
    ///   get number 1 and receive what was meant for standard output.
    public static func prepare() {
        signal(SIGPIPE, SIG_IGN)
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let placeholder = open("/dev/null", O_RDONLY)
            if placeholder >= 0 && placeholder != fd {
                _ = dup2(placeholder, fd)
                _ = POSIXFile.closeDescriptor(placeholder)
            }
        }
    }

    /// Writes `text` to descriptor `fd` (1 or 2); the failure, if any.
    @discardableResult
    public static func write(_ text: String, to fd: Int32) -> ReportError? {
        var text = text
        do {
            try text.withUTF8 { try POSIXFile.writeAll(fd, UnsafeRawBufferPointer($0), path: name(of: fd)) }
            return nil
        } catch let error as ReportError {
            return error
        } catch {
            return .io(operation: "write to", path: name(of: fd), errno: EIO)
        }
    }

    private static func name(of fd: Int32) -> String {
        switch fd {
        case 1: return "standard output"
        case 2: return "standard error"
        default: return "descriptor \(fd)"
        }
    }
}
