import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct ConnectionTests {
    @Test func parameterizedQueryRoundTripsValues() throws {
        try TestDatabase.with { settings in
            let connection = try Connection(settings: settings)
            let id = UUID()
            let result = try connection.query(
                "SELECT $1::int + 1 AS n, $2::text AS t, $3::uuid AS u, $4::bool AS b, $5::text IS NULL AS isnull, $6::bytea AS bytes",
                [41, "it's \"quoted\"\n", id, true, nil, Data([0, 1, 254, 255])])
            #expect(result.columns == ["n", "t", "u", "b", "isnull", "bytes"])
            #expect(result.rows[0][0] == "42")
            #expect(result.rows[0][1] == "it's \"quoted\"\n")
            #expect(result.rows[0][2] == id.uuidString.lowercased())
            #expect(PostgresText.bool(result.rows[0][3]) == true)
            #expect(result.rows[0][4] == "t")
            #expect(PostgresText.bytea(result.rows[0][5]) == Data([0, 1, 254, 255]))
        }
    }

    @Test func uniqueViolationKeepsSQLStateAndFields() throws {
        try TestDatabase.with { settings in
            let connection = try Connection(settings: settings)
            try connection.query("CREATE TABLE t (id int CONSTRAINT t_pkey PRIMARY KEY)")
            try connection.query("INSERT INTO t VALUES (1)")
            let error = try #require(throws: PostgresError.self) {
                try connection.query("INSERT INTO t VALUES ($1)", [1])
            }
            #expect(error.sqlState == .uniqueViolation)
            #expect(error.constraint == "t_pkey")
            #expect(error.table == "t")
            #expect(error.detail?.contains("(id)=(1)") == true)
            #expect(error.description.hasSuffix("(SQLSTATE 23505)"))
            #expect(!error.isRetryable)
        }
    }

    @Test func commitAfterSwallowedErrorIsReportedAsFailure() throws {
        try TestDatabase.with { settings in
            let connection = try Connection(settings: settings)
            try connection.query("CREATE TABLE t (id int PRIMARY KEY)")
            let error = try #require(throws: PostgresError.self) {
                try connection.transaction { connection in
                    try connection.query("INSERT INTO t VALUES (1)")
                    _ = try? connection.query("INSERT INTO t VALUES (1)")  // swallowed
                }
            }
            #expect(error.kind == .commitRolledBack)
            #expect(connection.transactionStatus == .idle)
            #expect(try connection.query("SELECT count(*) FROM t").scalar == "0")
        }
    }

    @Test func transactionRollsBackAndRethrowsTheOriginalError() throws {
        struct BodyFailed: Error {}
        try TestDatabase.with { settings in
            let connection = try Connection(settings: settings)
            try connection.query("CREATE TABLE t (id int)")
            #expect(throws: BodyFailed.self) {
                try connection.transaction { connection in
                    try connection.query("INSERT INTO t VALUES (1)")
                    throw BodyFailed()
                }
            }
            #expect(try connection.query("SELECT count(*) FROM t").scalar == "0")
            try connection.transaction { connection in try connection.query("INSERT INTO t VALUES (2)") }
            #expect(try connection.query("SELECT count(*) FROM t").scalar == "1")
        }
    }

    @Test func noticesAreCapturedNotPrinted() throws {
        try TestDatabase.with { settings in
            let connection = try Connection(settings: settings)
            try connection.query("DROP TABLE IF EXISTS does_not_exist")
            #expect(connection.notices.contains { $0.message.contains("does_not_exist") })
        }
    }

    @Test func closeIsIdempotentAndUseAfterCloseFails() throws {
        try TestDatabase.with { settings in
            let connection = try Connection(settings: settings)
            connection.close()
            connection.close()
            #expect(connection.isClosed)
            #expect(throws: PostgresError.self) { try connection.query("SELECT 1") }
        }
    }

    @Test func terminatedBackendIsClassifiedAsConnectionLost() throws {
        try TestDatabase.with { settings in
            let victim = try Connection(settings: settings)
            let killer = try Connection(settings: settings)
            try killer.query("SELECT pg_terminate_backend($1)", [Int(victim.backendPID)])
            let error = try #require(throws: PostgresError.self) { try victim.query("SELECT 1") }
            #expect(error.isConnectionLost)
        }
    }
}
