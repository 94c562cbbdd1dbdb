import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct CopyAndPipelineTests {
    @Test func copyInRoundTripsAwkwardText() throws {
        try TestDatabase.with { settings in
            let connection = try Connection(settings: settings)
            try connection.query("CREATE TABLE t (n int, s text)")
            let texts: [String?] = ["plain", "tab\there", "new\nline", "back\\slash", "cr\rlf", nil, "", "ünïcødé"]
            let count = try connection.copyIn("COPY t (n, s) FROM STDIN") { copy in
                for (index, text) in texts.enumerated() { try copy.write([String(index), text]) }
            }
            #expect(count == texts.count)
            let rows = try connection.query("SELECT s FROM t ORDER BY n").rows.map { $0[0] }
            #expect(rows == texts)
        }
    }

    @Test func copyOfManyRowsSpansChunks() throws {
        try TestDatabase.with { settings in
            let connection = try Connection(settings: settings)
            try connection.query("CREATE TABLE t (n int, s text)")
            let count = try connection.copyIn("COPY t FROM STDIN") { copy in
                for n in 0..<50_000 { try copy.write([String(n), "row number \(n)"]) }
            }
            #expect(count == 50_000)
            #expect(try connection.query("SELECT sum(n) FROM t").scalar == String((0..<50_000).reduce(0, +)))
        }
    }

    @Test func copyWithBadDataFailsWithSQLStateAndLeavesConnectionUsable() throws {
        try TestDatabase.with { settings in
            let connection = try Connection(settings: settings)
            try connection.query("CREATE TABLE t (n int)")
            let error = try #require(throws: PostgresError.self) {
                try connection.copyIn("COPY t FROM STDIN") { copy in
                    try copy.write(["1"])
                    try copy.write(["not a number"])
                }
            }
            #expect(error.sqlState == .invalidTextRepresentation)
            #expect(try connection.query("SELECT count(*) FROM t").scalar == "0")
        }
    }

    @Test func copyAbortedByTheClientKeepsNothing() throws {
        struct Stop: Error {}
        try TestDatabase.with { settings in
            let connection = try Connection(settings: settings)
            try connection.query("CREATE TABLE t (n int)")
            #expect(throws: Stop.self) {
                try connection.copyIn("COPY t FROM STDIN") { copy in
                    try copy.write(["1"])
                    throw Stop()
                }
            }
            #expect(try connection.query("SELECT count(*) FROM t").scalar == "0")
        }
    }

    @Test func pipelineReturnsEachResult() throws {
        try TestDatabase.with { settings in
            let connection = try Connection(settings: settings)
            try connection.query("CREATE TABLE t (n int)")
            let outcomes = try connection.pipeline((1...100).map { .init("INSERT INTO t VALUES ($1)", [$0]) }
                + [.init("SELECT count(*) FROM t")])
            #expect(outcomes.count == 101)
            guard case .success(let last) = outcomes[100] else {
                Issue.record("expected success, got \(outcomes[100])")
                return
            }
            #expect(last.scalar == "100")
        }
    }

    @Test func errorMidPipelineAbortsTheRestAndRollsBackTheSegment() throws {
        try TestDatabase.with { settings in
            let connection = try Connection(settings: settings)
            try connection.query("CREATE TABLE t (n int PRIMARY KEY)")
            let outcomes = try connection.pipeline([
                .init("INSERT INTO t VALUES (1)"),
                .init("INSERT INTO t VALUES (1)"),
                .init("INSERT INTO t VALUES (2)"),
            ])
            guard case .success = outcomes[0] else { Issue.record("first: \(outcomes[0])"); return }
            guard case .failure(let error) = outcomes[1] else { Issue.record("second: \(outcomes[1])"); return }
            #expect(error.sqlState == .uniqueViolation)
            guard case .aborted = outcomes[2] else { Issue.record("third: \(outcomes[2])"); return }
            // The segment was one implicit transaction: the first insert is gone too,
            // and the connection works normally afterwards.
            #expect(try connection.query("SELECT count(*) FROM t").scalar == "0")
        }
    }
}
