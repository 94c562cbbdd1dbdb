#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The destination of one report, rejects file or plan while it is being written.
///
/// For a regular file (or a new path), bytes go to a hidden temporary file beside it,
/// created mode 0600, and `commit()` renames it over the path: readers of the path
/// see the old file or the complete new one, never half a report, and never a moment
/// of wider permissions. A character device, FIFO or socket is opened and written in
/// place (renaming over `/dev/null` would replace the device); a directory is
/// refused when the sink is made, before the run touches the database. For a
/// descriptor (standard output) bytes go straight out and `commit()` only marks the
/// end. Closed exactly once; a sink dropped uncommitted removes its temporary file.
final class OutputSink {
    private let destination: String
    private let temporaryPath: String?
    /// Closed by `commit` / `discard` (not a descriptor the process was given).
    private let ownsDescriptor: Bool
    private let fd: Int32
    private var isOpen = true

    init(_ output: ReportOutput) throws {
        switch try OutputTarget(output) {
        case .replace(let path):
            let temporary = try POSIXFile.createTemporary(beside: path)
            destination = path
            temporaryPath = temporary.path
            fd = temporary.fd
            ownsDescriptor = true
        case .direct(let path):
            let opened = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY)
            guard opened >= 0 else { throw ReportError.io(operation: "open", path: path, errno: errno) }
            destination = path
            temporaryPath = nil
            fd = opened
            ownsDescriptor = true
        case .descriptor(let descriptor):
            destination = descriptor == 1 ? "standard output" : "descriptor \(descriptor)"
            temporaryPath = nil
            fd = descriptor
            ownsDescriptor = false
        }
    }

    /// Writes the buffer out and empties it.
    func write(_ buffer: inout OutputBuffer) throws {
        try ensureOpen()
        try buffer.bytes.withUnsafeBytes { try POSIXFile.writeAll(fd, $0, path: temporaryPath ?? destination) }
        buffer.removeAll()
    }

    /// Writes raw bytes (a chunk copied from a spool file).
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try ensureOpen()
        try POSIXFile.writeAll(fd, bytes, path: temporaryPath ?? destination)
    }

    /// Finishes the output: closes and renames a file into place.
    func commit() throws {
        try ensureOpen()
        isOpen = false
        guard let temporaryPath else {
            if ownsDescriptor { try POSIXFile.close(fd, path: destination) }
            return
        }
        do {
            try POSIXFile.close(fd, path: temporaryPath)
            try POSIXFile.rename(temporaryPath, to: destination)
        } catch {
            POSIXFile.unlink(temporaryPath)
            throw error
        }
    }

    /// Abandons the output: a file's temporary is removed and the destination untouched.
    func discard() {
        guard isOpen else { return }
        isOpen = false
        if ownsDescriptor { _ = POSIXFile.closeDescriptor(fd) }
        if let temporaryPath { POSIXFile.unlink(temporaryPath) }
    }

    private func ensureOpen() throws {
        guard isOpen else { throw ReportError.misuse("\(destination) already finished") }
    }

    deinit { discard() }
}
