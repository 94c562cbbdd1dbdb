import Foundation
import Postgres
import Testing
import TestSupport
@testable import MFABatchCore

/// `RowStatus` and `RunOutcome` are the only spellings of those words: the `CHECK`
/// constraints of migration 0009 must allow exactly their raw values.
@Suite struct StatusConstraintTests {
    /// The quoted words of a constraint's definition.
    private func words(_ connection: Connection, _ name: String) throws -> Set<String> {
        let definition: String = try connection.query("""
            SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conname = $1
            """, [name]).singleRow().decode("definition")
        var found = Set<String>()
        var rest = Substring(definition)
        while let open = rest.firstIndex(of: "'") {
            let after = rest.index(after: open)
            guard let close = rest[after...].firstIndex(of: "'") else { break }
            found.insert(String(rest[after..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return found
    }

    @Test func constraintsSpellExactlyTheEnums() throws {
        try MigratedDatabase.with { _, connection in
            let statusCheck = try connection.query("""
                SELECT conname FROM pg_constraint WHERE conrelid = 'run_outcomes'::regclass AND contype = 'c'
                  AND pg_get_constraintdef(oid) LIKE '%status <@%'
                """).singleRow().decode("conname", as: String.self)
            #expect(try words(connection, statusCheck) == Set(RowStatus.allCases.map(\.rawValue)))
            #expect(try words(connection, "job_runs_outcome_check") == Set(RunOutcome.allCases.map(\.rawValue)))

            // And the database refuses any other word.
            let run = UUID()
            #expect(throws: PostgresError.self) {
                try connection.query("""
                    INSERT INTO run_outcomes (run_id, first_row, row_no, line, account, user_text, comment, status, error,
                                              reason, users_matched, users_changed)
                    VALUES ($1, 1, '{1}', '{1}', '{a}', '{u}', '{NULL}', '{approved}', '{NULL}', '{NULL}', '{NULL}', '{NULL}')
                    """, [run])
            }
            #expect(throws: PostgresError.self) {
                try connection.query("INSERT INTO job_runs (id, mode, manifest, outcome) VALUES ($1, 'apply', 'm', 'done')", [run])
            }
        }
    }
}
