internal import CLibPQ
import Foundation

/// One libpq connection. Owns its `PGconn` and frees it exactly once (on `close()`
/// or deinit, whichever comes first). Not `Sendable`: one connection belongs to one
/// worker at a time; everything that leaves it (results, errors, notices) is a value.
///
/// ```swift
/// let connection = try Connection(settings: .resolve(databaseURL: nil, environment: env))
/// let result = try connection.query("SELECT id FROM accounts WHERE slug = $1", ["acme"])
/// ```
public final class Connection {
    /// nil once closed.
    private var handle: OpaquePointer?
    public let settings: ConnectionSettings
    private let noticeSink = NoticeSink()

    /// Connects with libpq (`PQconnectdb`). A failed attempt still allocates a
    /// handle, which is freed here before throwing. The message never carries a
    /// password: the string is checked field by field first (`ConnectionSettings.check`),
    /// and libpq's connection messages name no password.
    public init(settings: ConnectionSettings) throws {
        self.settings = settings
        do {
            try settings.check()
        } catch {
            throw PostgresError(kind: .connection, message: error.message)
        }
        guard let handle = PQconnectdb(settings.conninfo) else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Connection.trimmed(PQerrorMessage(handle)) ?? "connection failed"
            PQfinish(handle)
            throw PostgresError(kind: .connection, message: message)
        }
        self.handle = handle
        PQsetNoticeReceiver(handle, { context, result in
            guard let context, let result else { return }
            let sink = Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue()
            sink.append(Notice(
                severity: Connection.field(result, CLibPQ_DIAG_SEVERITY) ?? "NOTICE",
                sqlState: Connection.field(result, CLibPQ_DIAG_SQLSTATE).map(SQLState.init(rawValue:)),
                message: Connection.field(result, CLibPQ_DIAG_MESSAGE_PRIMARY) ?? ""))
        }, Unmanaged.passUnretained(noticeSink).toOpaque())
        PQsetClientEncoding(handle, "UTF8")
    }

    deinit { close() }

    /// Frees the connection. Idempotent.
    public func close() {
        if let handle {
            PQfinish(handle)
            self.handle = nil
        }
    }

    public var isClosed: Bool { handle == nil }

    /// Notices received so far (most recent last, at most 1,000 kept).
    public var notices: [Notice] { noticeSink.notices }

    /// The server process id of this session (for `pg_terminate_backend`, logs).
    public var backendPID: Int32 {
        guard let handle else { return 0 }
        return PQbackendPID(handle)
    }

    /// Whether the socket is still good, as libpq last saw it.
    public var isConnected: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    public enum TransactionStatus: Sendable, Equatable {
        case idle, active, inTransaction, inFailedTransaction, unknown
    }

    public var transactionStatus: TransactionStatus {
        guard let handle else { return .unknown }
        let status = PQtransactionStatus(handle)
        if status == PQTRANS_IDLE { return .idle }
        if status == PQTRANS_ACTIVE { return .active }
        if status == PQTRANS_INTRANS { return .inTransaction }
        if status == PQTRANS_INERROR { return .inFailedTransaction }
        return .unknown
    }

    // MARK: Statements

    /// Runs one statement with parameters (`PQexecParams`, text format).
    @discardableResult
    public func query(_ sql: String, _ parameters: [(any PostgresParameter)?] = []) throws -> QueryResult {
        let handle = try liveHandle()
        let result = Connection.withCStrings(parameters.map { $0?.postgresText }) { values in
            PQexecParams(handle, sql, Int32(values.count), nil, values, nil, nil, 0)
        }
        return try take(result)
    }

    /// Runs a script of one or more statements without parameters (`PQexec`):
    /// for migrations and fixed multi-statement SQL only.
    @discardableResult
    public func execute(script sql: String) throws -> QueryResult {
        let handle = try liveHandle()
        return try take(PQexec(handle, sql))
    }

    /// Quotes an identifier (`PQescapeIdentifier`), for the rare statement that
    /// cannot take it as a parameter (CREATE DATABASE).
    public func escapeIdentifier(_ name: String) throws -> String {
        let handle = try liveHandle()
        guard let escaped = PQescapeIdentifier(handle, name, name.utf8.count) else {
            throw lastError(kind: .client)
        }
        defer { PQfreemem(escaped) }
        return String(cString: escaped)
    }

    // MARK: Internals shared by the extensions

    func liveHandle() throws -> OpaquePointer {
        guard let handle else {
            throw PostgresError(kind: .client, message: "connection is closed")
        }
        return handle
    }

    /// The one funnel from a `PGresult` to a value or a `PostgresError`.
    /// Always clears the result.
    func take(_ result: OpaquePointer?) throws -> QueryResult {
        guard let result else { throw lastError(kind: .connectionLost) }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_SINGLE_TUPLE
            || status == PGRES_EMPTY_QUERY {
            return Connection.copy(result)
        }
        if status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH {
            throw PostgresError(kind: .client, message: "unexpected COPY state; use copyIn")
        }
        throw error(from: result)
    }

    /// Builds the error of a failed result, keeping every diagnostic field.
    func error(from result: OpaquePointer) -> PostgresError {
        let sqlState = Connection.field(result, CLibPQ_DIAG_SQLSTATE).map(SQLState.init(rawValue:))
        let message = Connection.field(result, CLibPQ_DIAG_MESSAGE_PRIMARY)
            ?? Connection.trimmed(PQresultErrorMessage(result))
            ?? "unknown error"
        var kind = PostgresError.Kind.server
        if sqlState == nil, let handle, PQstatus(handle) != CONNECTION_OK { kind = .connectionLost }
        return PostgresError(
            kind: kind,
            sqlState: sqlState,
            severity: Connection.field(result, CLibPQ_DIAG_SEVERITY),
            message: message,
            detail: Connection.field(result, CLibPQ_DIAG_MESSAGE_DETAIL),
            hint: Connection.field(result, CLibPQ_DIAG_MESSAGE_HINT),
            schema: Connection.field(result, CLibPQ_DIAG_SCHEMA_NAME),
            table: Connection.field(result, CLibPQ_DIAG_TABLE_NAME),
            column: Connection.field(result, CLibPQ_DIAG_COLUMN_NAME),
            constraint: Connection.field(result, CLibPQ_DIAG_CONSTRAINT_NAME))
    }

    /// The connection-level error message (`PQerrorMessage`).
    func lastError(kind: PostgresError.Kind) -> PostgresError {
        var kind = kind
        if let handle, PQstatus(handle) != CONNECTION_OK { kind = .connectionLost }
        let message = handle.flatMap { Connection.trimmed(PQerrorMessage($0)) } ?? "no connection"
        return PostgresError(kind: kind, message: message)
    }

    static func field(_ result: OpaquePointer, _ code: Int32) -> String? {
        guard let value = PQresultErrorField(result, code) else { return nil }
        return String(cString: value)
    }

    static func trimmed(_ text: UnsafePointer<CChar>?) -> String? {
        guard let text else { return nil }
        let value = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    static func copy(_ result: OpaquePointer) -> QueryResult {
        let columnCount = PQnfields(result)
        let rowCount = PQntuples(result)
        var columns: [String] = []
        columns.reserveCapacity(Int(columnCount))
        for column in 0..<columnCount {
            columns.append(PQfname(result, column).map { String(cString: $0) } ?? "")
        }
        var rows: [[String?]] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount {
                if PQgetisnull(result, row, column) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, row, column)))
                }
            }
            rows.append(values)
        }
        let tag = PQcmdStatus(result).map { String(cString: $0) } ?? ""
        let tuples = PQcmdTuples(result).map { String(cString: $0) } ?? ""
        return QueryResult(columns: columns, rows: rows, commandTag: tag, affectedRows: Int(tuples) ?? 0)
    }

    /// Calls `body` with C strings for `values` (NULL for nil), valid only inside it.
    static func withCStrings<R>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let pointers: [UnsafeMutablePointer<CChar>?] = values.map { $0.map { strdup($0) } ?? nil }
        defer { pointers.forEach { free($0) } }
        return body(pointers.map { $0.map { UnsafePointer($0) } })
    }
}

@available(*, unavailable)
extension Connection: Sendable {}

/// Collects notices for the connection; lives exactly as long as it.
final class NoticeSink {
    private(set) var notices: [Notice] = []
    func append(_ notice: Notice) {
        if notices.count >= 1_000 { notices.removeFirst(notices.count - 999) }
        notices.append(notice)
    }
}
