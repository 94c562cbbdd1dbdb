/// The destination of one report or rejects file while it is being written.
///
/// For a path, bytes go to a hidden temporary file beside it, created mode 0600, and
/// `commit()` renames it over the path: readers of the path see the old file or the
/// complete new one, never half a report, and never a moment of wider permissions.
/// For a descriptor (standard output) bytes go straight out and `commit()` only
/// marks the end. Closed exactly once; a sink dropped uncommitted removes its file.
final class OutputSink {
    private let destination: String
    private let temporaryPath: String?
    private let fd: Int32
    private var isOpen = true

    init(_ output: ReportOutput) throws {
        switch output {
        case .file(let path):
            let temporary = try POSIXFile.createTemporary(beside: path)
            destination = path
            temporaryPath = temporary.path
            fd = temporary.fd
        case .descriptor(let descriptor):
            destination = descriptor == 1 ? "standard output" : "descriptor \(descriptor)"
            temporaryPath = nil
            fd = descriptor
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
        guard let temporaryPath else { return }
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
        guard let temporaryPath else { return }
        _ = POSIXFile.closeDescriptor(fd)
        POSIXFile.unlink(temporaryPath)
    }

    private func ensureOpen() throws {
        guard isOpen else { throw ReportError.misuse("\(destination) already finished") }
    }

    deinit { discard() }
}
