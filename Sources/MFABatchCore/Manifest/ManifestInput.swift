#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation

// Module-agnostic name for open(2) (the class has its own `open`).
private func openReadOnly(_ path: String) -> Int32 { open(path, O_RDONLY | O_CLOEXEC) }

/// A manifest made ready for a run: opened **once**, by path or as stdin, and read
/// in one streaming pass that hashes it (SHA-256) and copies it into a private
/// snapshot (`ManifestSnapshot`: an unlinked 0600 file in `$TMPDIR`). Everything
/// after — the CSV header check, staging, the rejects — reads that snapshot, so:
///
/// - what is applied is exactly what was hashed (a file swapped or rewritten after
///   the check, or while the run goes on, changes nothing; `apply PLAN` compares
///   the planned SHA-256 with the bytes it applies);
/// - a FIFO, `<(…)` and stdin work like a file (read once, to their end);
/// - no copy of the manifest's keys outlives the process, even after kill -9.
public final class ManifestInput {
    /// The name used in reports and messages: the path as given, or `-`.
    public let displayName: String
    /// The path as given (`-` for stdin); never opened again.
    public let path: String
    /// The format: as given, else as the file name says.
    public var format: ManifestFormat? { resolvedFormat }
    private let resolvedFormat: ManifestFormat
    /// Lower-case hex SHA-256 of the manifest's bytes (those of the snapshot).
    public let sha256: String
    private let snapshot: ManifestSnapshot
    private let fileName: String

    /// Opens `path` (`-` is stdin), hashes and snapshots it in one pass (1 MiB
    /// buffer). Throws a `ManifestError` (exit 2) when the format cannot be told,
    /// the manifest cannot be opened or read, or the snapshot cannot be written.
    public init(path: String, format: ManifestFormat?) throws(ManifestError) {
        displayName = path
        self.path = path
        let isStdin = path == "-"
        fileName = isStdin ? "<stdin>" : path
        // Said before reading anything (stdin is not read to its end first).
        resolvedFormat = try ManifestSource.resolveFormat(path: path, format: format, fileName: fileName)
        let source = isStdin ? 0 : openReadOnly(path)
        guard source >= 0 else {
            throw ManifestError(file: fileName, line: nil, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { if !isStdin { _ = POSIXFile.closeDescriptor(source) } }
        let scratch: (fd: Int32, label: String)
        do {
            scratch = try POSIXFile.createUnlinked(stem: "mfa-batch-manifest")
        } catch {
            throw ManifestError(file: fileName, line: nil, message: "cannot keep a private copy of the manifest: \(error)")
        }
        var kept = false
        defer { if !kept { _ = POSIXFile.closeDescriptor(scratch.fd) } }
        let hasher = SHA256Stream()
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        var size = 0
        while true {
            let got = read(source, chunk.baseAddress, chunk.count)
            if got < 0 {
                if errno == EINTR { continue }
                throw ManifestError(file: fileName, line: nil, message: "cannot read: \(String(cString: strerror(errno)))")
            }
            if got == 0 { break }
            let bytes = UnsafeRawBufferPointer(rebasing: chunk[0..<got])
            hasher.update(bytes)
            do {
                try POSIXFile.writeAll(scratch.fd, bytes, path: scratch.label)
            } catch {
                throw ManifestError(file: fileName, line: nil, message: "cannot keep a private copy of the manifest: \(error)")
            }
            size += got
        }
        snapshot = ManifestSnapshot(fd: scratch.fd, size: size)
        kept = true
        sha256 = Crypto.hex(hasher.finish())
    }

    /// Whether `path` is a regular file (following symlinks). Only such a file is
    /// peeked at for a plan's marker: peeking at a FIFO or `<(…)` would consume the
    /// manifest's first bytes.
    public static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return path != "-" && stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// A new reader from the first row of the same bytes; messages name stdin
    /// `<stdin>`. For CSV, the header is read (and checked) here.
    public func open(schema: SettingsSchema) throws(ManifestError) -> any ManifestReader {
        try ManifestSource.reader(source: ByteSource(snapshot: snapshot), format: resolvedFormat, fileName: fileName,
                                  schema: schema)
    }
}
