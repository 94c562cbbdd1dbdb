#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Module-agnostic name for open(2) (the enum has its own `open`).
private func posixOpenReadOnly(_ path: UnsafePointer<CChar>) -> Int32 { open(path, O_RDONLY | O_CLOEXEC) }

/// Opens a manifest for streaming. A run reads its manifest through `ManifestInput`
/// (opened once, read from a private snapshot); `open(path:…)` reads a file or stdin
/// directly, once.
public enum ManifestSource {
    /// Opens `path` (`-` is stdin) as `format`, or as its extension says when
    /// `format` is nil (`.csv`, `.json`, `.jsonl`, `.ndjson`).
    ///
    /// Throws a `ManifestError` (exit 2) when the format cannot be told (stdin always
    /// needs `--format`), the file cannot be opened, or, for CSV, the header is bad:
    /// the header is read here so that a bad one rejects the manifest before anything
    /// else happens.
    /// `fileName` names the manifest in messages when `path` is not what the operator gave.
    public static func open(path: String, format: ManifestFormat?, schema: SettingsSchema,
                            fileName: String? = nil) throws(ManifestError) -> any ManifestReader {
        let isStdin = path == "-"
        let fileName = fileName ?? (isStdin ? "<stdin>" : path)
        let format = try resolveFormat(path: path, format: format, fileName: fileName)
        let source: ByteSource
        if isStdin {
            source = ByteSource(descriptor: 0, owned: false)
        } else {
            let fd = path.withCString { posixOpenReadOnly($0) }
            guard fd >= 0 else {
                throw ManifestError(file: fileName, line: nil, message: "cannot open: \(String(cString: strerror(errno)))")
            }
            source = ByteSource(descriptor: fd, owned: true)
        }
        return try reader(source: source, format: format, fileName: fileName, schema: schema)
    }

    /// The format of `path`: `format` when given (refused when it contradicts the
    /// file name), else the extension's (`.csv`, `.json`, `.jsonl`, `.ndjson`); stdin
    /// always needs `format`.
    static func resolveFormat(path: String, format: ManifestFormat?, fileName: String) throws(ManifestError)
        -> ManifestFormat {
        let isStdin = path == "-"
        // `--format` is for when the file name does not say; a contradiction is refused.
        if let format, !isStdin, let named = ManifestFormat(path: path), named != format {
            throw ManifestError(file: fileName, line: nil,
                                message: "--format \(format.rawValue) contradicts the file name (a .\(named.rawValue) manifest); "
                                    + "give --format only when the name does not tell the format")
        }
        guard let format = format ?? (isStdin ? nil : ManifestFormat(path: path)) else {
            throw ManifestError(file: fileName, line: nil,
                                message: isStdin ? stdinNeedsFormat
                                    : "cannot tell the manifest format from the file name; "
                                        + "use a .csv, .json, .jsonl or .ndjson name or give --format")
        }
        return format
    }

    static let stdinNeedsFormat = "reading a manifest from stdin (-) needs --format csv|json|jsonl"

    /// A reader over bytes in memory (tests, or a manifest already fetched).
    public static func reader(bytes: [UInt8], format: ManifestFormat, fileName: String,
                              schema: SettingsSchema, chunkSize: Int = ManifestLimits.chunkBytes)
        throws(ManifestError) -> any ManifestReader {
        try reader(source: ByteSource(bytes: bytes, maxChunk: chunkSize), format: format, fileName: fileName,
                   schema: schema)
    }

    static func reader(source: ByteSource, format: ManifestFormat, fileName: String,
                               schema: SettingsSchema) throws(ManifestError) -> any ManifestReader {
        switch format {
        case .csv: return try CSVReader(source: source, fileName: fileName, schema: schema)
        case .json: return JSONReader(source: source, fileName: fileName)
        case .jsonl: return JSONLinesReader(source: source, fileName: fileName)
        }
    }

}
