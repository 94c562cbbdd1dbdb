#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How an output is written, decided from what its path is now (`stat`, following
/// symlinks): never by renaming a file over something that is not a regular file.
enum OutputTarget: Equatable {
    /// A regular file, or nothing yet: written under a temporary name beside it
    /// (created 0600, `POSIXFile.createExclusive`) and renamed over it when complete.
    case replace(String)
    /// A character device, FIFO or socket: opened for writing and written in place.
    case direct(String)
    /// An open descriptor (standard output): written in place, not closed.
    case descriptor(Int32)

    /// Refuses a directory (and anything else that cannot take bytes) with the
    /// reason, before anything is written.
    init(_ output: ReportOutput) throws {
        switch output {
        case .descriptor(let fd):
            self = .descriptor(fd)
        case .file(let path):
            var info = stat()
            guard stat(path, &info) == 0 else {
                // Nothing there yet (or a dangling symlink): a new file. Other errors
                // (a missing directory, no permission) surface when it is created.
                self = .replace(path)
                return
            }
            switch info.st_mode & S_IFMT {
            case S_IFREG: self = .replace(path)
            case S_IFCHR, S_IFIFO, S_IFSOCK: self = .direct(path)
            case S_IFDIR: throw ReportError.io(operation: "write to", path: path, errno: EISDIR)
            default: throw ReportError.io(operation: "write to", path: path, errno: EINVAL)
            }
        }
    }
}
