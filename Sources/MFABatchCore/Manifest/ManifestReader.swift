/// A streaming source of manifest rows, one at a time, whatever the format.
///
/// Readers are classes because they own a file descriptor and a buffer; they are
/// not `Sendable` (one reader, one consumer). Memory stays flat however long the
/// manifest is: only the row being read is buffered.
///
/// ```swift
/// let reader = try ManifestSource.open(path: "changes.csv", format: nil, schema: .bundled)
/// let validator = RowValidator(schema: .bundled, format: reader.format)
/// while let raw = try reader.next() {
///     switch validator.check(raw) { case .success(let row): …; case .failure(let diagnostic): … }
/// }
/// ```
public protocol ManifestReader: AnyObject {
    var format: ManifestFormat { get }
    /// The manifest's name as used in error messages (`<stdin>` for `-`).
    var fileName: String { get }
    /// CSV: the canonical (trimmed, lower-case) header, in file order, which a rejects
    /// writer reuses. JSON formats: nil.
    var columns: [String]? { get }
    /// The next row, or nil after the last one. Throws when the manifest is unusable
    /// (see `ManifestError` for what counts); after a throw, do not call again.
    func next() throws(ManifestError) -> RawRow?
}
