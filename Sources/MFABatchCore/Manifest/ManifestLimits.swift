/// Bounds that keep a reader's memory flat whatever the manifest holds.
public enum ManifestLimits {
    /// The largest row (all its cells, or one JSON row object) a reader accepts.
    /// A longer row is a manifest error; without a cap a single 10 GB "field" would be
    /// buffered whole. 1 MiB is far beyond any honest row (a few hundred bytes).
    public static let maxRowBytes = 1 << 20

    /// What every reader says of a row over `maxRowBytes`.
    static let rowTooLong = "row longer than \(maxRowBytes) bytes (1 MiB), the limit for a single row"

    /// How much a reader asks the operating system for at a time.
    public static let chunkBytes = 64 << 10
}
