#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A private scratch file of the engine: created mode 0600 in `$TMPDIR` and
/// unlinked at once, so it vanishes with the process however it ends and no one
/// else can open it. Reads and writes are positioned (`pread`/`pwrite`), so
/// threads may use distinct regions at once; appends are the caller's to serialize.
final class ScratchFile: Sendable {
    let fd: Int32
    private let label: String

    init(stem: String) throws {
        let created = try POSIXFile.createTemporary(in: POSIXFile.temporaryDirectory, stem: stem, readWrite: true)
        POSIXFile.unlink(created.path)
        fd = created.fd
        label = "temporary file in \(POSIXFile.temporaryDirectory)"
    }

    deinit { _ = POSIXFile.closeDescriptor(fd) }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: [UInt8], at offset: Int) throws {
        try bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let written = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
                if written < 0 {
                    if errno == EINTR { continue }
                    throw ReportError.io(operation: "write", path: label, errno: errno)
                }
                done += written
            }
        }
    }

    /// Reads exactly `count` bytes at `offset`.
    func read(at offset: Int, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        try bytes.withUnsafeMutableBytes { buffer in
            while done < count {
                let got = try POSIXFile.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]),
                                             at: offset + done, path: label)
                guard got > 0 else { throw ReportError.io(operation: "read back (file shrank)", path: label, errno: EIO) }
                done += got
            }
        }
        return bytes
    }
}
