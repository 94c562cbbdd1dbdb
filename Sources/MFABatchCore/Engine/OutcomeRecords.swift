import Foundation
import Postgres

/// Rows' outcomes as the database keeps them for `runs show --report`: one
/// `run_outcomes` record per tenant (inside its transaction), or per chunk of rows,
/// with the rows as parallel arrays in manifest order. Written once; never updated.
enum OutcomeRecords {
    /// Rows per record: a tenant of a million rows is a few hundred records, each a
    /// few hundred kilobytes.
    static let chunkSize = 5_000

    /// `account_id` of the records of rows that reached no tenant (an unknown or
    /// malformed account): the nil UUID, reserved (an account with that id is
    /// unknown to the tool, `PostgresCredentialStore`). Not NULL, because
    /// `account_id` is part of the key of every tenant-owned table, the one Citus
    /// shards them by (migration 0011).
    static let noTenant = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// The records of `rows`, one per chunk, each made only when asked for (a
    /// pipeline sends them one at a time, so a large tenant's arrays are never all in
    /// memory at once).
    static func insert(runID: UUID, accountID: UUID?, rows: [SpooledRow], verdicts: [RowVerdict]) -> [Deferred] {
        stride(from: 0, to: rows.count, by: chunkSize).map { start in
            Deferred {
                let end = min(start + chunkSize, rows.count)
                let part = rows[start..<end]
                let outcomes = verdicts[start..<end]
                return Connection.PipelineStatement("""
                    INSERT INTO run_outcomes (run_id, account_id, first_row, row_no, line, account, user_text, comment,
                                              status, error, reason, users_matched, users_changed)
                    VALUES ($1, $2, $3, $4::integer[], $5::integer[], $6::text[], $7::text[], $8::text[], $9::text[],
                            $10::text[], $11::text[], $12::integer[], $13::integer[])
                    """, [
                        runID, accountID ?? noTenant, part.first!.row.row,
                        PostgresArray(part.map(\.row.row)), PostgresArray(part.map(\.line)),
                        PostgresArray(part.map(\.row.account)), PostgresArray(part.map(\.row.user)),
                        PostgresArray(part.map(\.comment)),
                        PostgresArray(outcomes.map(\.status.rawValue)), PostgresArray(outcomes.map(\.error)),
                        PostgresArray(outcomes.map(\.reason)), PostgresArray(outcomes.map(\.usersMatched)),
                        PostgresArray(outcomes.map(\.usersChanged)),
                    ])
            }
        }
    }

    /// A statement made when it is sent.
    struct Deferred {
        let make: () -> Connection.PipelineStatement
        init(_ make: @escaping () -> Connection.PipelineStatement) { self.make = make }
        init(_ statement: Connection.PipelineStatement) { make = { statement } }
    }

    /// Writes records outside any tenant transaction (rows that reached no tenant, or
    /// whose tenant never ran), in one transaction.
    static func write(_ statements: [Deferred], on connection: Connection) throws {
        guard !statements.isEmpty else { return }
        let all = [Deferred(Connection.PipelineStatement("BEGIN"))] + statements
            + [Deferred(Connection.PipelineStatement("COMMIT"))]
        let outcomes = try connection.pipeline(count: all.count) { all[$0].make() }
        if let error = Pipelined.firstError(outcomes) {
            connection.rollbackIgnoringErrors()
            throw error
        }
    }
}

/// Reading a pipeline's outcomes.
enum Pipelined {
    /// The first failure (a statement aborted by it is not one).
    static func firstError(_ outcomes: [Connection.PipelineOutcome]) -> PostgresError? {
        for outcome in outcomes {
            if case .failure(let error) = outcome { return error }
        }
        return nil
    }

    static func result(_ outcomes: [Connection.PipelineOutcome], _ index: Int) throws -> QueryResult {
        switch outcomes[index] {
        case .success(let result): return result
        case .failure(let error): throw error
        case .aborted: throw PostgresError(kind: .client, message: "pipelined statement \(index + 1) did not run")
        }
    }
}
