#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An anonymous scratch file that holds encoded rows until the JSON report can be
/// assembled: the report's `summary` comes before its `rows` but is known only at the
/// end, and keeping millions of rows in memory is not an option.
///
/// It is unlinked as soon as it is created, so it disappears with the descriptor even
/// if the process is killed; it is created mode 0600 beside the report (or in
/// `$TMPDIR` for standard output), so its rows are never readable by anyone else.
final class SpoolFile {
    private let fd: Int32
    private let label: String
    private(set) var size = 0
    private var isOpen = true

    init(directory: String, stem: String) throws {
        (fd, label) = try POSIXFile.createUnlinked(in: directory, stem: stem)
    }

    /// For a report at `output`: a spool in the same directory when the report is a
    /// file renamed into place (same file system, same access), else in `$TMPDIR`
    /// (standard output, a device, a pipe).
    convenience init(for output: ReportOutput) throws {
        switch try OutputTarget(output) {
        case .replace(let path):
            let slash = path.lastIndex(of: "/")
            let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
            let stem = slash.map { String(path[path.index(after: $0)...]) } ?? path
            try self.init(directory: directory, stem: stem + ".rows")
        case .direct, .descriptor:
            try self.init(directory: POSIXFile.temporaryDirectory, stem: "mfa-batch-report.rows")
        }
    }

    /// Appends the buffer and empties it.
    func append(_ buffer: inout OutputBuffer) throws {
        try buffer.bytes.withUnsafeBytes { try POSIXFile.writeAll(fd, $0, path: label) }
        size += buffer.count
        buffer.removeAll()
    }

    /// Copies everything appended so far to `sink`, in 1 MiB chunks.
    func copy(to sink: OutputSink) throws {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        var offset = 0
        while offset < size {
            let got = try POSIXFile.read(fd, into: chunk, at: offset, path: label)
            guard got > 0 else { throw ReportError.io(operation: "read back (file shrank)", path: label, errno: EIO) }
            try sink.write(UnsafeRawBufferPointer(rebasing: chunk[0..<got]))
            offset += got
        }
    }

    func close() {
        guard isOpen else { return }
        isOpen = false
        _ = POSIXFile.closeDescriptor(fd)
    }

    deinit { close() }
}
