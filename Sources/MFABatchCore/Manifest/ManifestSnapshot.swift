#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The private copy of a manifest that a run reads: an unlinked 0600 file in
/// `$TMPDIR` (`POSIXFile.createUnlinked`), written once while the manifest is
/// hashed and never changed after. Readers read it by position (`pread`), so any
/// number of them can start from the first byte, and each keeps it alive.
final class ManifestSnapshot: Sendable {
    let fd: Int32
    let size: Int

    init(fd: Int32, size: Int) {
        self.fd = fd
        self.size = size
    }

    deinit { _ = POSIXFile.closeDescriptor(fd) }

    /// Up to `count` bytes at `offset` into `buffer`; 0 at the end.
    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int, at offset: Int) throws(ByteSourceError) -> Int {
        while true {
            let got = pread(fd, buffer, min(count, size - offset), off_t(offset))
            if got >= 0 { return got }
            if errno != EINTR { throw ByteSourceError(message: String(cString: strerror(errno))) }
        }
    }
}
