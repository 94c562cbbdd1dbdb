import Crypto
import Dispatch
import Foundation
import Synchronization

/// A manifest made ready for a run: a file that can be read more than once (stdin
/// is spooled to a private temporary file first, so that rejects can be written
/// by re-reading it and its checksum known), and its SHA-256.
public final class ManifestInput {
    /// The name used in reports and messages: the path as given, or `-`.
    public let displayName: String
    /// The file to read.
    public let path: String
    public let format: ManifestFormat?
    /// Lower-case hex SHA-256 of the manifest's bytes. For a file it is computed on
    /// a thread of its own while the rows are parsed (it shares nothing with them but
    /// the file), and reading it waits for that; "" if the file could not be read,
    /// which the reader then reports as a manifest error.
    public var sha256: String { digest.value }
    private let digest: BackgroundDigest
    private let spooled: Bool

    /// Spools `-` (stdin), hashing it on the way, or starts hashing the file.
    public init(path: String, format: ManifestFormat?) throws(ManifestError) {
        displayName = path
        self.format = format
        if path == "-" {
            let hasher = SHA256Stream()
            let temporary = FileManager.default.temporaryDirectory
                .appendingPathComponent("mfa-batch-stdin-\(UUID().uuidString)").path
            guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600]),
                  let output = FileHandle(forWritingAtPath: temporary) else {
                throw ManifestError(file: "<stdin>", line: nil, message: "cannot create a temporary file to spool stdin")
            }
            defer { try? output.close() }
            do {
                while let chunk = try FileHandle.standardInput.read(upToCount: 1 << 20), !chunk.isEmpty {
                    chunk.withUnsafeBytes { hasher.update($0) }
                    try output.write(contentsOf: chunk)
                }
            } catch {
                try? FileManager.default.removeItem(atPath: temporary)
                throw ManifestError(file: "<stdin>", line: nil, message: "cannot read stdin: \(error.localizedDescription)")
            }
            self.path = temporary
            spooled = true
            digest = BackgroundDigest(known: Crypto.hex(hasher.finish()))
        } else {
            guard let probe = FileHandle(forReadingAtPath: path) else {
                throw ManifestError(file: path, line: nil, message: "cannot open: no such file or not readable")
            }
            try? probe.close()
            self.path = path
            spooled = false
            digest = BackgroundDigest(hashing: path)
        }
    }

    deinit {
        if spooled { try? FileManager.default.removeItem(atPath: path) }
    }

    /// A new reader from the first row (stdin needs `format`).
    public func open(schema: SettingsSchema) throws(ManifestError) -> any ManifestReader {
        guard spooled else { return try ManifestSource.open(path: path, format: format, schema: schema) }
        guard let format else {
            throw ManifestError(file: "<stdin>", line: nil, message: "reading a manifest from stdin (-) needs --format csv|json|jsonl")
        }
        return try ManifestSource.open(path: path, format: format, schema: schema)
    }
}

/// A SHA-256 computed on a thread of its own (or known up front), waited for on read.
final class BackgroundDigest: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let result = Mutex<String?>(nil)

    init(known: String) {
        result.withLock { $0 = known }
        done.signal()
    }

    init(hashing path: String) {
        let thread = Thread { [self] in hash(path) }
        thread.start()
    }

    private func hash(_ path: String) {
        let hasher = SHA256Stream()
        var ok = false
        if let input = FileHandle(forReadingAtPath: path) {
            ok = true
            while ok {
                do {
                    guard let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty else { break }
                    chunk.withUnsafeBytes { hasher.update($0) }
                } catch {
                    ok = false
                }
            }
            try? input.close()
        }
        let hex = ok ? Crypto.hex(hasher.finish()) : ""
        result.withLock { $0 = hex }
        done.signal()
    }

    var value: String {
        if let known = result.withLock({ $0 }) { return known }
        done.wait()
        done.signal()
        return result.withLock { $0 } ?? ""
    }
}
