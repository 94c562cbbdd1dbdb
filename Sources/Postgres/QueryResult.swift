/// The rows of one statement, copied out of libpq's `PGresult` as text (or NULL).
/// A value type, so it can leave the connection and cross threads.
public struct QueryResult: Sendable {
    public var columns: [String]
    public var rows: [[String?]]
    /// The command tag, e.g. `UPDATE 3`.
    public var commandTag: String
    /// Rows affected per the command tag (`cmdTuples`), 0 when not applicable.
    public var affectedRows: Int

    public init(columns: [String] = [], rows: [[String?]] = [], commandTag: String = "", affectedRows: Int = 0) {
        self.columns = columns
        self.rows = rows
        self.commandTag = commandTag
        self.affectedRows = affectedRows
    }

    /// The single value of a one-row, one-column result.
    public var scalar: String? { rows.first?.first ?? nil }
}
