/// A manifest that cannot be used at all: the CLI reports it and exits 2 before
/// anything is applied. Row-level problems are `RowDiagnostic`s instead.
///
/// The rule for which is which: when the *structure* of the file is broken (bad
/// header, bad quoting, invalid UTF-8, truncated JSON, a row that is not an object,
/// a CSV row with the wrong number of cells) the reader cannot trust its idea of
/// where rows and fields are, and cannot write such a row back into a rejects file,
/// so the whole manifest is refused. When a well-formed row has bad *content*, that
/// row is a 400 and the others go on.
///
/// The description never contains row values other than a column name, so it is
/// safe to log (a cell could hold a credential).
///
/// ```
/// manifest.csv: line 3: unterminated quoted field
/// manifest.csv: line 1: column "totp_enable": unknown column (did you mean totp_enabled?)
/// ```
public struct ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The manifest as named on the command line (`<stdin>` for `-`).
    public var file: String
    /// 1-based physical line, when the problem has one.
    public var line: Int?
    /// The column or field concerned (header problems).
    public var column: String?
    /// The offending value, only ever a column name or field key, never cell data.
    public var value: String?
    public var message: String

    public init(file: String, line: Int?, column: String? = nil, value: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.value = value
        self.message = message
    }

    public var description: String {
        var text = file + ": "
        if let line { text += "line \(line): " }
        if let column { text += "column \"\(column)\": " }
        return text + message
    }
}
