import Crypto
import Foundation

/// A manifest made ready for a run: a file that can be read more than once (stdin
/// is spooled to a private temporary file first, so that rejects can be written
/// by re-reading it and its checksum known), and its SHA-256.
public final class ManifestInput {
    /// The name used in reports and messages: the path as given, or `-`.
    public let displayName: String
    /// The file to read.
    public let path: String
    public let format: ManifestFormat?
    /// Lower-case hex SHA-256 of the manifest's bytes.
    public let sha256: String
    private let spooled: Bool

    /// Spools `-` (stdin) and hashes the file in one streaming pass (1 MiB buffer).
    public init(path: String, format: ManifestFormat?) throws(ManifestError) {
        displayName = path
        self.format = format
        let hasher = SHA256Stream()
        if path == "-" && format == nil {
            // Said before reading stdin, not after spooling all of it.
            throw ManifestError(file: "<stdin>", line: nil, message: ManifestSource.stdinNeedsFormat)
        }
        if path == "-" {
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
        } else {
            guard let input = FileHandle(forReadingAtPath: path) else {
                throw ManifestError(file: path, line: nil, message: "cannot open: no such file or not readable")
            }
            defer { try? input.close() }
            do {
                while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                    chunk.withUnsafeBytes { hasher.update($0) }
                }
            } catch {
                throw ManifestError(file: path, line: nil, message: "cannot read: \(error.localizedDescription)")
            }
            self.path = path
            spooled = false
        }
        sha256 = Crypto.hex(hasher.finish())
    }

    deinit {
        if spooled { try? FileManager.default.removeItem(atPath: path) }
    }

    /// A new reader from the first row; messages name stdin `<stdin>`, not the spool file.
    public func open(schema: SettingsSchema) throws(ManifestError) -> any ManifestReader {
        try ManifestSource.open(path: path, format: format, schema: schema, fileName: spooled ? "<stdin>" : nil)
    }
}
