/// Transactions as a closure: BEGIN, the body, COMMIT; ROLLBACK when the body
/// throws, rethrowing the body's *original* error even if ROLLBACK fails too.
///
/// A body that swallowed an SQL error leaves the transaction aborted, and PostgreSQL
/// would then turn COMMIT into ROLLBACK without an error. That case is detected
/// (transaction status before COMMIT, command tag after) and reported as
/// `PostgresError.Kind.commitRolledBack`.
extension Connection {
    public enum IsolationLevel: String, Sendable {
        case readCommitted = "READ COMMITTED"
        case repeatableRead = "REPEATABLE READ"
        case serializable = "SERIALIZABLE"
    }

    @discardableResult
    public func transaction<T>(
        isolation: IsolationLevel = .readCommitted,
        _ body: (Connection) throws -> T
    ) throws -> T {
        try query("BEGIN ISOLATION LEVEL " + isolation.rawValue)
        let value: T
        do {
            value = try body(self)
        } catch {
            rollbackIgnoringErrors()
            throw error
        }
        try commit()
        return value
    }

    /// COMMIT, failing when the server rolled back instead.
    public func commit() throws {
        if transactionStatus == .inFailedTransaction {
            rollbackIgnoringErrors()
            throw PostgresError(
                kind: .commitRolledBack, sqlState: .inFailedTransaction,
                message: "transaction was aborted by an earlier error; COMMIT rolled back")
        }
        let result = try query("COMMIT")
        if result.commandTag == "ROLLBACK" {
            throw PostgresError(
                kind: .commitRolledBack, sqlState: .inFailedTransaction,
                message: "COMMIT was turned into ROLLBACK by the server")
        }
    }

    /// ROLLBACK whose own failure must not hide the error that caused it.
    public func rollbackIgnoringErrors() {
        guard isConnected, transactionStatus != .idle else { return }
        _ = try? query("ROLLBACK")
    }
}
