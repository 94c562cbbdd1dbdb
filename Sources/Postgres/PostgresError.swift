/// Every failure of the PostgreSQL layer: one type that keeps every field the server
/// gave, so callers can classify by SQLSTATE and reports can quote it.
///
/// Printed like pgx does: `ERROR: duplicate key value … (SQLSTATE 23505)`.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The server answered with an error result.
        case server
        /// No connection could be made (bad URL, unreachable, auth refused).
        case connection
        /// The connection broke while in use.
        case connectionLost
        /// COMMIT came back as ROLLBACK: the transaction had failed earlier.
        case commitRolledBack
        /// libpq or protocol misuse detected on the client side.
        case client
        /// A result value could not be read as the type the caller expected.
        case decoding
    }

    public var kind: Kind
    public var sqlState: SQLState?
    public var severity: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    public var schema: String?
    public var table: String?
    public var column: String?
    public var constraint: String?

    public init(
        kind: Kind, sqlState: SQLState? = nil, severity: String? = nil, message: String,
        detail: String? = nil, hint: String? = nil, schema: String? = nil, table: String? = nil,
        column: String? = nil, constraint: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.severity = severity
        self.message = message
        self.detail = detail
        self.hint = hint
        self.schema = schema
        self.table = table
        self.column = column
        self.constraint = constraint
    }

    public var description: String {
        var text = "\(severity ?? "ERROR"): \(message)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        return text
    }

    /// Worth running the same transaction again: serialization failures, deadlocks
    /// and lock time-outs clear up on their own.
    public var isRetryable: Bool {
        guard kind == .server, let sqlState else { return false }
        return sqlState == .serializationFailure || sqlState == .deadlockDetected
            || sqlState == .lockNotAvailable
    }

    /// The session is gone: nothing more can be done on this connection.
    public var isConnectionLost: Bool {
        if kind == .connectionLost || kind == .connection { return true }
        guard let sqlState else { return false }
        return sqlState.errorClass == "08" || sqlState == .adminShutdown
            || sqlState == .crashShutdown || sqlState == .cannotConnectNow
    }
}
