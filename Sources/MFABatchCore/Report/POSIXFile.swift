#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The handful of system calls the writers need, each turning `errno` into a
/// `ReportError`. Plain `open(2)`/`write(2)` rather than `FileHandle` because the
/// file must be *created* mode 0600 (never briefly world-readable) and because a
/// report of millions of rows is written in large chunks with no per-write overhead.
///
/// `createExclusive` is the one way the tool creates a file: reports, rejects and
/// plans (under a temporary name, then renamed), and every scratch file (the
/// manifest's private copy, report and engine spools, unlinked at once through
/// `createUnlinked`).
enum POSIXFile {
    /// Creates a new file that must not exist yet, mode 0600 from the first byte:
    /// `O_CREAT | O_EXCL | O_NOFOLLOW`, so neither an existing file nor a symlink
    /// planted at the name (pointing anywhere) is ever opened instead.
    static func createExclusive(_ path: String, readWrite: Bool = false) throws -> Int32 {
        let access = readWrite ? O_RDWR : O_WRONLY
        let fd = open(path, access | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(0o600))
        guard fd >= 0 else { throw ReportError.io(operation: "create", path: path, errno: errno) }
        return fd
    }

    /// A private scratch file with no name: created by `createTemporary` in
    /// `directory` ($TMPDIR by default) and unlinked at once, so nobody else can
    /// open it and it vanishes with the descriptor, however the process ends
    /// (kill -9 included). Read-write. Returns the descriptor and a label for messages.
    static func createUnlinked(in directory: String = temporaryDirectory, stem: String) throws -> (fd: Int32, label: String) {
        let created = try createTemporary(in: directory, stem: stem, readWrite: true)
        unlink(created.path)
        return (created.fd, "temporary file in \(directory)")
    }

    /// Creates a fresh temporary file beside `destination` (same directory, so a
    /// rename is atomic) with a random hidden name; returns its path and descriptor.
    static func createTemporary(beside destination: String, readWrite: Bool = false) throws -> (path: String, fd: Int32) {
        let url = URL(fileURLWithPath: destination)
        let directory = url.deletingLastPathComponent().path
        return try createTemporary(in: directory, stem: url.lastPathComponent, readWrite: readWrite)
    }

    /// Creates a fresh temporary file in `directory`, retrying on a name collision.
    static func createTemporary(in directory: String, stem: String, readWrite: Bool = false) throws -> (path: String, fd: Int32) {
        var lastError = ReportError.io(operation: "create", path: directory, errno: EEXIST)
        for _ in 0..<16 {
            let suffix = String(UInt64.random(in: .min ... .max), radix: 36)
            let path = (directory.hasSuffix("/") ? directory : directory + "/") + ".\(stem).\(suffix).tmp"
            do {
                return (path, try createExclusive(path, readWrite: readWrite))
            } catch let error as ReportError {
                guard case .io(_, _, EEXIST) = error else { throw error }
                lastError = error
            }
        }
        throw lastError
    }

    /// The directory for temporary files that have no destination beside them ($TMPDIR).
    static var temporaryDirectory: String {
        FileManager.default.temporaryDirectory.path
    }

    /// Writes every byte, retrying short writes and `EINTR`. A failure (`EPIPE` from a
    /// closed pipe, `ENOSPC`, `EBADF` for a closed descriptor) is thrown, never a
    /// signal or a trap: the process ignores SIGPIPE (see `StandardStreams`).
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = write(fd, base, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw ReportError.io(operation: "write", path: path, errno: errno)
            }
            remaining -= written
            base += written
        }
    }

    /// Reads up to `count` bytes at `offset`; 0 at end of file.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int, path: String) throws -> Int {
        while true {
            let got = pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
            if got >= 0 { return got }
            if errno != EINTR { throw ReportError.io(operation: "read", path: path, errno: errno) }
        }
    }

    static func close(_ fd: Int32, path: String) throws {
        // After close(2) fails the descriptor is gone anyway (Linux/BSD); report, never retry.
        if closeDescriptor(fd) != 0 && errno != EINTR {
            throw ReportError.io(operation: "close", path: path, errno: errno)
        }
    }

    static func rename(_ from: String, to: String) throws {
        #if canImport(Glibc)
        let result = Glibc.rename(from, to)
        #else
        let result = Darwin.rename(from, to)
        #endif
        guard result == 0 else { throw ReportError.io(operation: "rename into", path: to, errno: errno) }
    }

    static func unlink(_ path: String) {
        #if canImport(Glibc)
        _ = Glibc.unlink(path)
        #else
        _ = Darwin.unlink(path)
        #endif
    }

    static func closeDescriptor(_ fd: Int32) -> Int32 {
        #if canImport(Glibc)
        return Glibc.close(fd)
        #else
        return Darwin.close(fd)
        #endif
    }
}
