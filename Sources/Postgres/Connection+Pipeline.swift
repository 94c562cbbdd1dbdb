internal import CLibPQ

/// Pipeline mode: many statements sent before any result is read, then one sync.
/// As PostgreSQL defines it, the statements between syncs form one implicit
/// transaction (unless they manage their own): an error aborts the rest of the
/// segment, and earlier statements of the segment are rolled back.
extension Connection {
    public struct PipelineStatement: Sendable {
        public var sql: String
        public var parameters: [String?]
        public init(_ sql: String, _ parameters: [(any PostgresParameter)?] = []) {
            self.sql = sql
            self.parameters = parameters.map { $0?.postgresText }
        }
    }

    public enum PipelineOutcome: Sendable {
        case success(QueryResult)
        case failure(PostgresError)
        /// Not executed because an earlier statement of the segment failed.
        case aborted
    }

    /// Sends every statement, one sync, and returns one outcome per statement.
    /// Throws only when the connection itself fails.
    public func pipeline(_ statements: [PipelineStatement]) throws -> [PipelineOutcome] {
        try pipeline(count: statements.count) { statements[$0] }
    }

    /// The same for `count` statements made one at a time by `statement` as they are
    /// sent, so that large parameters (a tenant's arrays) need not all be in memory
    /// at once.
    public func pipeline(count: Int, _ statement: (Int) -> PipelineStatement) throws -> [PipelineOutcome] {
        let handle = try liveHandle()
        guard PQenterPipelineMode(handle) == 1 else { throw lastError(kind: .client) }
        defer { _ = PQexitPipelineMode(handle) }

        for index in 0..<count {
            let statement = statement(index)
            let sent = Connection.withCStrings(statement.parameters) { values in
                PQsendQueryParams(handle, statement.sql, Int32(values.count), nil, values, nil, nil, 0)
            }
            guard sent == 1 else { throw lastError(kind: .connectionLost) }
        }
        guard PQpipelineSync(handle) == 1 else { throw lastError(kind: .connectionLost) }

        var outcomes: [PipelineOutcome] = []
        outcomes.reserveCapacity(count)
        for _ in 0..<count {
            guard let result = PQgetResult(handle) else { throw lastError(kind: .connectionLost) }
            if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
                PQclear(result)
                outcomes.append(.aborted)
            } else {
                do { outcomes.append(.success(try take(result))) } catch let error as PostgresError {
                    outcomes.append(.failure(error))
                }
            }
            // Each statement's results end with NULL.
            while let extra = PQgetResult(handle) { PQclear(extra) }
        }
        // The sync result closes the segment; it is not followed by NULL.
        guard let sync = PQgetResult(handle) else { throw lastError(kind: .connectionLost) }
        let syncStatus = PQresultStatus(sync)
        PQclear(sync)
        guard syncStatus == PGRES_PIPELINE_SYNC else {
            throw PostgresError(kind: .client, message: "pipeline did not end with a sync result")
        }
        return outcomes
    }
}
